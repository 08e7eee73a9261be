"""The follow-up pages through the web client: scope, updates, notes, settings of a rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from feedback.accounts.models import Role
from feedback.accounts.services import create_user
from feedback.audit.models import AuditEvent
from feedback.distribution.models import DistributionRule
from feedback.extensions import db as _db
from feedback.follow_ups.models import FollowUp, FollowUpPolicy
from tests.follow_ups.helpers import consenting_rule, make_follow_up
from tests.governance.conftest import PASSWORD, client_as


@pytest.fixture()
def no_csrf(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


def test_a_manager_sees_the_programs_items_and_how_to_reach_the_client(app, world):
    item = make_follow_up(world.passport, world.version)
    manager = client_as(app, world.manager)
    listing = manager.get("/follow-ups")
    assert listing.status_code == 200 and f"/follow-ups/{item.id}" in listing.text
    page = manager.get(f"/follow-ups/{item.id}")
    assert page.status_code == 200
    assert "client1@example.org" in page.text and "+16135550000" in page.text
    assert 'href="/follow-ups"' in page.text  # the staff navigation links the list


def test_items_and_rules_of_another_program_answer_404(app, world):
    item = make_follow_up(world.passport, world.version)
    loop = consenting_rule(world.passport)
    other = create_user("pm@example.org", PASSWORD, Role.PROGRAM_MANAGER, ["citizenship"])
    _db.session.commit()
    outsider = client_as(app, other)
    assert outsider.get(f"/follow-ups/{item.id}").status_code == 404
    assert outsider.post(f"/follow-ups/{item.id}/notes", data={"text": "x"}).status_code in (
        400,
        404,
    )
    assert outsider.get(f"/follow-ups/settings/{loop.rule.id}").status_code == 404
    assert item.id not in outsider.get("/follow-ups").text
    assert loop.rule.id not in outsider.get("/follow-ups/settings").text
    assert client_as(app, world.analyst_in).get("/follow-ups").status_code == 403


def test_closing_from_the_page_erases_and_hides_the_contact_details(app, world, no_csrf):
    item = make_follow_up(world.passport, world.version)
    manager = client_as(app, world.manager)
    form = {"status": "closed", "owner": world.manager.id, "due_on": item.due_on.isoformat()}
    saved = manager.post(f"/follow-ups/{item.id}", data=form)
    assert saved.status_code == 303
    page = manager.get(f"/follow-ups/{item.id}")
    assert "client1@example.org" not in page.text and "+16135550000" not in page.text
    assert "erased" in page.text
    _db.session.expire_all()
    assert _db.session.get(FollowUp, item.id).email is None
    reopened = manager.post(f"/follow-ups/{item.id}", data=form | {"status": "open"})
    assert reopened.status_code == 400  # closed is final (and the form is gone)


def test_a_bad_update_shows_its_errors_beside_the_fields(app, world, no_csrf):
    item = make_follow_up(world.passport, world.version)
    response = client_as(app, world.manager).post(
        f"/follow-ups/{item.id}", data={"status": "", "owner": world.analyst_in.id, "due_on": "x"}
    )
    assert response.status_code == 400
    assert 'class="error-summary"' in response.text
    assert 'aria-describedby="due_on-hint due_on-error"' in response.text


def test_a_note_from_the_page(app, world, no_csrf):
    item = make_follow_up(world.passport, world.version)
    manager = client_as(app, world.manager)
    added = manager.post(f"/follow-ups/{item.id}/notes", data={"text": "Left a message."})
    assert added.status_code == 303 and added.headers["Location"].endswith("#notes")
    page = manager.get(f"/follow-ups/{item.id}")
    assert "Left a message." in page.text and world.manager.email in page.text
    empty = manager.post(f"/follow-ups/{item.id}/notes", data={"text": " "})
    assert empty.status_code == 400 and "Write the note." in empty.text


def test_the_lists_filters_from_the_query_string(app, world):
    mine = make_follow_up(world.passport, world.version, n=1, owner_id=world.manager.id)
    nobody = make_follow_up(world.passport, world.version, n=2)
    page = client_as(app, world.admin).get(f"/follow-ups?owner={world.manager.id}")
    assert mine.id in page.text and nobody.id not in page.text
    stale = client_as(app, world.admin).get("/follow-ups?status=nonsense&program=gone")
    assert stale.status_code == 200 and mine.id in stale.text and nobody.id in stale.text


def test_the_settings_of_a_rule_are_saved_from_its_page(app, world, no_csrf):
    loop = consenting_rule(world.passport)
    manager = client_as(app, world.manager)
    listing = manager.get("/follow-ups/settings")
    assert f"/follow-ups/settings/{loop.rule.id}" in listing.text
    form = manager.get(f"/follow-ups/settings/{loop.rule.id}")
    assert form.status_code == 200 and 'value="may_contact"' in form.text
    data = {
        "enabled": "y",
        "score_question": "overall",
        "threshold": "3",
        "consent_question": "may_contact",
        "due_days": "10",
    }
    assert manager.post(f"/follow-ups/settings/{loop.rule.id}", data=data).status_code == 303
    _db.session.expire_all()
    policy = _db.session.get(FollowUpPolicy, loop.policy.id)
    assert (policy.threshold, policy.due_days) == (3, 10)
    event = _db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "follow_up_policy.update")
    )
    assert event.actor == world.manager.email
    refused = manager.post(f"/follow-ups/settings/{loop.rule.id}", data=data | {"threshold": "9"})
    assert refused.status_code == 400 and "threshold-error" in refused.text


def test_a_rule_whose_questionnaire_cannot_follow_up_says_why(app, world):
    """The world's questionnaire asks no consent to be contacted."""
    rule = _db.session.scalar(select(DistributionRule))
    page = client_as(app, world.manager).get(f"/follow-ups/settings/{rule.id}")
    assert page.status_code == 200
    assert 'name="threshold"' not in page.text
    assert "asking whether the client may be contacted" in page.text
