"""The open link: a visit starts one survey through ingest and lands on it; the same browser
resumes it; the rate limit refuses with a page in both languages and is counted; the managers
see unusual hours."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from feedback.contacts.models import ContactEvent
from feedback.contacts.services import ingest
from feedback.db_types import utcnow
from feedback.extensions import db as _db
from feedback.invitations import outbox
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.walk_in import services
from feedback.walk_in.models import WalkInHour
from tests.apps import migrated_app
from tests.factories import event_payload, make_setup
from tests.governance.conftest import new_client
from tests.walk_in.helpers import walk_in_point, walk_in_rule


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _start(client, token: str, language: str = "en"):
    page = client.get(f"/w/{token}")
    assert page.status_code == 200
    return client.post(f"/w/{token}", data={"csrf_token": _csrf(page.text), "language": language})


@pytest.fixture()
def client(app, db):
    """A browser whose every request starts afresh (no locale or CSRF token left on `g`)."""
    return new_client(app)


@pytest.fixture()
def point(db):
    program, version, _rule = make_setup()
    walk_in_rule(program, version)
    return walk_in_point(program)


def _events() -> list[ContactEvent]:
    return list(_db.session.scalars(select(ContactEvent)))


def test_the_open_link_page_is_in_both_languages_and_starts_nothing(client, point):
    page = client.get(f"/w/{point.token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.text
    assert '<html lang="en">' in html
    assert "Tell us about your visit" in html and "Parlez-nous de votre visite" in html
    assert 'lang="fr"' in html and "Ottawa downtown passport office" in html
    assert 'value="en"' in html and 'value="fr"' in html
    assert _events() == []
    french = client.get(f"/w/{point.token}?lang=fr").text
    assert '<html lang="fr">' in french
    assert french.index("Parlez-nous de votre visite") < french.index("Tell us about your visit")


def test_a_visit_creates_one_event_and_survey_and_lands_on_it(client, point):
    response = _start(client, point.token, "fr")
    assert response.status_code == 303
    assert response.headers["Location"] == "/s/?lang=fr"
    (event,) = _events()
    assert event.source == "walk_in" and event.contact_type == "walk_in"
    assert event.attributes == {"office": "ottawa-downtown"} and event.language == "fr"
    invitation = event.invitation
    assert invitation.channel == "walk_in" and invitation.status is InvitationStatus.SENT
    assert invitation.email is None and invitation.phone is None
    assert [t.to_status for t in invitation.transitions] == [
        InvitationStatus.SCHEDULED,
        InvitationStatus.SENDING,
        InvitationStatus.SENT,
    ]
    survey = client.get("/s/?lang=fr")
    assert survey.status_code == 200
    assert f'name="invitation" value="{invitation.id}"' in survey.text
    _db.session.refresh(invitation)
    assert invitation.status is InvitationStatus.OPENED
    # No token in any address: the survey is in the session.
    assert point.token not in response.headers["Location"]


def test_the_same_browser_resumes_its_survey(client, app, point):
    first = _start(client, point.token)
    second = _start(client, point.token)
    assert first.headers["Location"] == second.headers["Location"] == "/s/?lang=en"
    assert len(_events()) == 1
    other_browser = new_client(app)
    _start(other_browser, point.token)
    assert len(_events()) == 2
    hour = _db.session.scalar(select(WalkInHour))
    assert (hour.visits, hour.resumed, hour.refused) == (2, 1, 0)


def test_a_browser_that_answered_is_thanked_not_surveyed_again(client, point):
    _start(client, point.token)
    invitation = _db.session.scalar(select(Invitation))
    invitation.status = InvitationStatus.COMPLETED  # as the survey leaves it (tests/surveys)
    _db.session.commit()
    again = _start(client, point.token)
    assert again.status_code == 200
    assert "You have already answered this survey" in again.text
    assert "Vous avez déjà répondu à ce sondage" in again.text
    assert len(_events()) == 1


def test_without_a_walk_in_rule_a_visit_gets_no_survey(client, db):
    program, _version, _rule = make_setup()  # an email rule for every contact type
    point = walk_in_point(program)
    response = _start(client, point.token)
    assert response.status_code == 200
    assert "There is no survey to answer at the moment" in response.text
    (event,) = _events()
    assert event.invitation.status is InvitationStatus.SKIPPED
    assert event.invitation.reason == "no_contact_details"


def test_a_lost_session_shows_the_page_again(client, point):
    response = client.post(f"/w/{point.token}", data={"language": "en"})
    assert response.status_code == 400
    assert "Your session timed out" in response.text
    assert _events() == []


def test_an_unknown_or_deactivated_link_is_not_in_use(client, point):
    assert client.get("/w/abcdefghjkmn").status_code == 404
    services.deactivate_point(point)
    _db.session.commit()
    page = client.get(f"/w/{point.token}")
    assert page.status_code == 404
    assert "This survey link is no longer in use" in page.text
    assert "Ce lien de sondage n’est plus utilisé" in page.text
    assert client.post(f"/w/{point.token}", data={"language": "en"}).status_code == 404


@pytest.fixture()
def limited_app(database_url: str, tmp_path) -> Iterator[Flask]:
    """An app of its own with the limits on (the session's app runs without)."""
    limits = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_WALK_IN": "2 per minute",
        "WALK_IN_SUSPICIOUS_PER_HOUR": 1,
    }
    yield migrated_app(database_url, tmp_path, limits, keep_celery=True)


def test_the_rate_limit_refuses_in_both_languages_and_is_counted(limited_app, db):
    with limited_app.app_context():
        program, version, _rule = make_setup()
        walk_in_rule(program, version)
        point = walk_in_point(program)
        statuses = [_start(new_client(limited_app), point.token).status_code for _ in range(3)]
        assert statuses == [303, 303, 429]
        refused = _start(new_client(limited_app), point.token)
        assert refused.status_code == 429 and refused.headers["Retry-After"]
        assert "Too many requests" in refused.text and "Trop de demandes" in refused.text
        assert "Wait a few minutes, then try again." in refused.text
        assert new_client(limited_app).get(f"/w/{point.token}").status_code == 200
        activity = services.activity(point)
        assert (activity.visits, activity.refused, activity.threshold) == (2, 2, 1)
        assert [hour.visits for hour in activity.unusual_hours] == [2]
        assert services.unusual_hours([point.id]) == {point.id: 1}


def test_unusual_hours_are_those_over_the_threshold_or_with_refusals(app, db, point):
    now = utcnow()
    for hours_ago, visits, refused in [(1, 61, 0), (2, 60, 0), (3, 5, 1), (24 * 8, 500, 9)]:
        _db.session.add(
            WalkInHour(
                point_id=point.id,
                hour=(now - timedelta(hours=hours_ago)).replace(minute=0, second=0, microsecond=0),
                visits=visits,
                resumed=0,
                refused=refused,
            )
        )
    _db.session.commit()
    activity = services.activity(point, now)
    assert activity.threshold == 60
    assert [(h.visits, h.refused) for h in activity.unusual_hours] == [(61, 0), (5, 1)]
    assert activity.visits == 61 + 60 + 5
    assert _db.session.scalar(select(func.count()).select_from(WalkInHour)) == 4


def test_an_event_sent_for_a_walk_in_rule_is_never_sent_by_the_outbox(point):
    """Only a visit hands a walk-in survey over: an event of that contact type that comes through
    the API is scheduled on the walk_in channel, which fails it for good, saying why."""
    (result,) = ingest([event_payload(contact_type="walk_in")])
    invitation = _db.session.get(Invitation, result.invitation.id)
    assert (invitation.channel, invitation.status) == ("walk_in", InvitationStatus.SCHEDULED)
    assert outbox.queue_due("walk_in", 10) == [invitation.id]
    assert outbox.send_invitation(invitation.id) is InvitationStatus.FAILED
    _db.session.refresh(invitation)
    assert invitation.last_error == "walk-in surveys are handed over by a visit, never sent"
