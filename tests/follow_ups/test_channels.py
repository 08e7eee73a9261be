"""The consent question is a yes or no on every channel, and a low score with consent opens a
follow-up whether the client answered on the web or by text message."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from feedback.channels import Question
from feedback.extensions import db as _db
from feedback.follow_ups import tasks
from feedback.follow_ups.models import FollowUp
from feedback.invitations.models import InvitationMode
from feedback.plugin_api import receive_text
from feedback.questionnaires import kinds
from feedback.questionnaires.kinds.contact_consent import ContactConsent
from feedback.questionnaires.kinds.reading import Invalid
from tests.conversations.helpers import PHONE, FakeSms, dispatch, invite, sms_event
from tests.factories import make_rule, make_sent_invitation
from tests.fakes import channel_replaced
from tests.follow_ups.helpers import consenting_rule
from tests.surveys.helpers import csrf_token

CONSENT = kinds.get("contact_consent")
ASKED = Question(code="may_contact", kind="contact_consent", text={"en": "?"}, required=False)


@pytest.fixture()
def queued(monkeypatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr(tasks.notify_managers, "delay", sent.append)
    return sent


def test_the_kind_is_a_yes_or_no_with_its_own_bilingual_label(app):
    assert isinstance(CONSENT, ContactConsent) and isinstance(
        CONSENT, kinds.get("yes_no").__class__
    )
    assert CONSENT.parse_text(ASKED, "Oui!") is True and CONSENT.parse_text(ASKED, "no") is False
    with pytest.raises(Invalid):
        CONSENT.parse_text(ASKED, "maybe")
    assert CONSENT.read_keys(ASKED, "1") is True and CONSENT.read_keys(ASKED, "2") is False
    assert CONSENT.answer_rows(True) == [{"value_int": 1}]
    assert CONSENT.consented(1) and not CONSENT.consented(0) and not CONSENT.consented(None)
    with app.app_context():
        with force_locale("fr"):
            assert CONSENT.label() == "Consentement à être joint (oui ou non)"
            assert CONSENT.sms_hint() == "Répondez OUI ou NON."
        with force_locale("en"):
            assert CONSENT.label() == "Consent to be contacted (yes or no)"
    assert set(CONSENT.suggested_text) == {"en", "fr"}


def test_on_the_web(app, world, client, queued):
    loop = consenting_rule(world.passport, threshold=2)
    invitation = make_sent_invitation(loop.version, "web-token-0123456789abcdefghijklmnopqrstuv")
    invitation.rule_id = loop.rule.id
    _db.session.commit()
    page = client.get("/s/web-token-0123456789abcdefghijklmnopqrstuv", follow_redirects=True)
    assert 'name="q_may_contact"' in page.text
    answered = client.post(
        "/s/",
        data={"csrf_token": csrf_token(page.text), "q_overall": "1", "q_may_contact": "1"},
    )
    assert answered.status_code == 303
    [item] = _db.session.scalars(select(FollowUp)).all()
    assert item.email == "client1@example.org" and queued == [item.id]


def test_by_text_message(app, world, queued):
    with channel_replaced(app, FakeSms()):
        loop = consenting_rule(world.passport, threshold=2)
        rule = make_rule(
            world.passport,
            loop.version,
            channel="sms_fake",
            mode=InvitationMode.CONVERSATION,
            quiet_start_hour=0,
            quiet_end_hour=0,
        )
        _db.session.commit()
        _db.session.refresh(loop.policy)
        assert loop.policy.rule_id != rule.id  # kept by the replaced rule; a copy moved on
        invitation = invite(sms_event(1))
        dispatch()
        receive_text("sms_fake", PHONE, "1")
        receive_text("sms_fake", PHONE, "Oui")
        _db.session.refresh(invitation)
        assert invitation.phone is None  # completed: the invitation no longer keeps it
    [item] = _db.session.scalars(select(FollowUp)).all()
    assert item.phone == PHONE and item.rule_id == rule.id and queued == [item.id]
