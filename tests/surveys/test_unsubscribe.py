"""Unsubscribing at /u/<code>: confirmation by POST, RFC 8058 one-click, idempotence."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from feedback.consent.codes import unsubscribe_code
from feedback.consent.models import OptOut
from feedback.invitations.models import Invitation, InvitationStatus
from tests.surveys.helpers import TOKEN, csrf_token, live_invitation

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture()
def invitation(db) -> Invitation:
    return live_invitation()[1]


def _url(invitation: Invitation) -> str:
    return f"/u/{unsubscribe_code(invitation.id)}"


def _opt_outs(db) -> list[OptOut]:
    return list(db.session.scalars(select(OptOut)))


def _reloaded(db, invitation: Invitation) -> Invitation:
    db.session.expire_all()
    return db.session.get(Invitation, invitation.id)


def test_get_asks_for_confirmation_and_changes_nothing(client, db, invitation):
    page = client.get(_url(invitation))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<form method="post"' in html and 'name="csrf_token"' in html
    # Every channel, checked, or only this way of being asked.
    assert "All feedback surveys, however they are sent" in html
    [every] = re.findall(r'<input[^>]*value="all"[^>]*>', html)
    assert "checked" in every  # every channel is the choice made for the client
    assert "Only surveys sent by email" in html
    assert _opt_outs(db) == []
    invitation = _reloaded(db, invitation)
    assert invitation.status is InvitationStatus.SENT
    assert invitation.email == "client1@example.org"


def test_confirming_opts_out_once_however_often_it_is_posted(client, db, invitation):
    url = _url(invitation)
    token = csrf_token(client.get(url).get_data(as_text=True))
    for _ in range(2):
        page = client.post(url, data={"csrf_token": token, "scope": "all"})
        assert page.status_code == 200
        assert "You are unsubscribed" in page.get_data(as_text=True)
        assert "by email, text message or phone" in page.get_data(as_text=True)
    opt_outs = _opt_outs(db)
    assert len(opt_outs) == 1
    assert opt_outs[0].source == "web" and opt_outs[0].channel == "all"
    assert opt_outs[0].client_hash == invitation.client_hash
    invitation = _reloaded(db, invitation)
    assert invitation.status is InvitationStatus.OPTED_OUT
    assert invitation.email is None

    later = client.get(url).get_data(as_text=True)
    assert "You are unsubscribed" in later and "<form" not in later
    assert client.get(f"/s/{TOKEN}").status_code == 410


def test_a_client_may_stop_only_this_way_of_being_asked(client, db, invitation):
    url = _url(invitation)
    token = csrf_token(client.get(url).get_data(as_text=True))
    page = client.post(url, data={"csrf_token": token, "scope": "channel"})
    assert "This applies to surveys sent by email." in page.get_data(as_text=True)
    [opt_out] = _opt_outs(db)
    assert (opt_out.channel, opt_out.client_hash) == ("email", invitation.client_hash)


def test_a_choice_is_needed_and_its_error_is_tied_to_it(client, db, invitation):
    url = _url(invitation)
    token = csrf_token(client.get(url).get_data(as_text=True))
    page = client.post(url, data={"csrf_token": token, "scope": "everything"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and 'aria-describedby="scope-error"' in html
    assert _opt_outs(db) == []


def test_post_without_csrf_token_is_refused(client, db, invitation):
    page = client.post(_url(invitation), data={})
    assert page.status_code == 400
    assert "session timed out" in page.get_data(as_text=True)
    assert _opt_outs(db) == []
    assert _reloaded(db, invitation).status is InvitationStatus.SENT


def test_one_click_post_needs_no_csrf_token(app, db, invitation):
    page = app.test_client().post(_url(invitation), data=ONE_CLICK)
    assert page.status_code == 200
    [opt_out] = _opt_outs(db)
    assert opt_out.source == "one_click"
    assert _reloaded(db, invitation).status is InvitationStatus.OPTED_OUT


@pytest.mark.parametrize(
    "body",
    [{**ONE_CLICK, "extra": "1"}, {"List-Unsubscribe": "one-click"}],
    ids=["extra-field", "wrong-value"],
)
def test_only_the_exact_one_click_body_skips_csrf(app, db, invitation, body):
    page = app.test_client().post(_url(invitation), data=body)
    assert page.status_code == 400
    assert _opt_outs(db) == []


def test_a_completed_survey_can_still_be_unsubscribed(app, db):
    _, invitation = live_invitation(status="completed")
    page = app.test_client().post(_url(invitation), data=ONE_CLICK)
    assert page.status_code == 200
    assert len(_opt_outs(db)) == 1
    assert _reloaded(db, invitation).status is InvitationStatus.OPTED_OUT


@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_code_is_a_friendly_404(client, db, invitation, method):
    page = getattr(client, method)("/u/not-a-signed-code", data=ONE_CLICK)
    assert page.status_code == 404
    assert "We cannot find this link" in page.get_data(as_text=True)
    assert _opt_outs(db) == []
