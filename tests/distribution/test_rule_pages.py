"""The rule pages through the web client: list, create, change, deactivate, refusals shown beside
their fields, other programs' rules out of reach, and the simulate page (which writes nothing)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from feedback.audit.models import AuditEvent
from feedback.contacts.models import ContactEvent
from feedback.distribution.models import DistributionRule, RuleQuotaUsage
from feedback.extensions import db as _db
from feedback.invitations.models import Invitation
from tests.accounts.helpers import post_form
from tests.apps import migrated_app
from tests.factories import make_questionnaire, make_rule, make_sent_invitation
from tests.governance import conftest as governance
from tests.governance.conftest import client_as

#: The governance tests' world: two programs, a user per role and scope.
world = governance.world

CHANNELS = ["email", "sms_twilio", "voice_twilio"]
CONTACT_TYPES = [
    {"code": "call", "en": "Call centre call", "fr": "Appel au centre d'appels"},
    {"code": "counter", "en": "Counter visit", "fr": "Visite au comptoir"},
]


@pytest.fixture(scope="module")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """This module's app enables text and voice channels too (no provider is called)."""
    return migrated_app(
        database_url,
        tmp_path_factory.mktemp("rule-pages-instance"),
        {"FEEDBACK_CHANNELS": CHANNELS},
        keep_celery=True,
    )


@pytest.fixture()
def rules(world) -> dict[str, DistributionRule]:
    """Passport lists its contact types; citizenship has a rule of its own."""
    world.passport.contact_types = CONTACT_TYPES
    citizenship_version = make_questionnaire(world.citizenship, "citizenship-survey")
    found = {
        "passport": _db.session.scalar(
            select(DistributionRule).filter_by(program_id=world.passport.id)
        ),
        "citizenship": make_rule(world.citizenship, citizenship_version),
    }
    _db.session.commit()
    return found


def valid_form(world, **changes: Any) -> dict[str, Any]:
    """A rule for passport's calls that follows the latest published version."""
    data = {
        "contact_type": "call",
        "questionnaire": f"latest:{world.version.questionnaire_id}",
        "channel": "email",
        "fallback_channel": "",
        "mode": "link",
        "delay_minutes": "60",
        "sampling_percent": "50",
        "quota_limit": "200",
        "quota_period": "day",
        "quiet_start_hour": "",
        "quiet_end_hour": "",
        "fatigue_days": "30",
        "attribute_filters": "",
        "excluded_attributes": "decision=refused\nfile=sensitive",
        "reminder_after_days": "3",
        "expiry_days": "14",
        "active_from": "2026-12-01",
        "active_until": "",
    }
    data.update(changes)
    return data


def active_rules(program_id: str) -> list[DistributionRule]:
    _db.session.expire_all()
    return list(
        _db.session.scalars(select(DistributionRule).filter_by(program_id=program_id, active=True))
    )


def audit_actions(actor: str) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.actor == actor).order_by(AuditEvent.at)
    return list(_db.session.scalars(query))


def field_error(html: str, field: str) -> str:
    """The error shown beside `field`, checking that the input points at it."""
    found = re.search(
        rf'<p class="error-message" id="{field}-error">\s*<span[^>]*>[^<]*</span>\s*([^<]+)</p>',
        html,
    )
    assert found, f"no error beside {field}"
    assert re.search(rf'aria-describedby="[^"]*{field}-error[^"]*"', html), field
    return found.group(1).strip()


def test_the_list_shows_the_rules_of_the_users_programs_only(app, world, rules):
    page = client_as(app, world.manager).get("/rules")
    assert page.status_code == 200
    assert "Passport" in page.text and "Every contact type" in page.text
    assert f"/rules/{rules['passport'].id}" in page.text
    assert rules["citizenship"].id not in page.text
    everything = client_as(app, world.admin).get("/rules").text
    assert rules["passport"].id in everything and rules["citizenship"].id in everything


def test_the_list_says_what_each_rule_does_in_french(app, world, rules):
    page = client_as(app, world.manager).get("/rules?lang=fr")
    assert "Règles de distribution" in page.text
    assert "Tous les types de contact" in page.text


def test_creating_a_rule_with_fatigue_quota_and_reminder(app, world, rules):
    client = client_as(app, world.manager)
    form = client.get("/rules/new")
    assert form.status_code == 200
    assert 'option value="call"' in form.text  # the program's contact types
    response = post_form(client, "/rules/new?program=passport", valid_form(world))
    assert response.status_code == 303, response.text
    new = [r for r in active_rules(world.passport.id) if r.contact_type == "call"]
    assert len(new) == 1
    rule = new[0]
    assert rule.questionnaire_version_id is None  # follows the latest published version
    assert (rule.quota_limit, rule.quota_period, rule.reminder_after_days) == (200, "day", 3)
    assert rule.sampling_rate == 0.5 and rule.delay_minutes == 60
    assert rule.excluded_attributes == {"decision": ["refused"], "file": ["sensitive"]}
    assert rule.active_from == date(2026, 12, 1)
    assert rules["passport"].active  # the catch-all rule is for other contacts
    assert audit_actions(world.manager.email) == ["rule.create"]
    listing = client.get("/rules").text
    assert "At most 200 invitations a day" in listing
    assert "One reminder after 3 days" in listing


def test_a_narrowed_rule_is_named_by_its_filters(app, world, rules):
    client = client_as(app, world.manager)
    changes = {"attribute_filters": "region=east\nregion=north"}
    response = post_form(client, "/rules/new?program=passport", valid_form(world, **changes))
    assert response.status_code == 303, response.text
    listing = client.get("/rules").text
    assert "Call centre call (region: east / north) – active" in listing
    assert "Only contacts with region: east / north" in listing


def test_changing_a_rule_replaces_it(app, world, rules):
    old = rules["passport"]
    client = client_as(app, world.manager)
    page = client.get(f"/rules/{old.id}")
    assert page.status_code == 200
    assert f'selected value="version:{old.questionnaire_version_id}"' in page.text
    changes = valid_form(world, contact_type="", fatigue_days="60", active_from="")
    response = post_form(client, f"/rules/{old.id}", changes)
    assert response.status_code == 303, response.text
    [new] = active_rules(world.passport.id)
    assert new.id != old.id and new.fatigue_days == 60 and new.contact_type is None
    assert audit_actions(world.manager.email) == ["rule.deactivate", "rule.create"]


def test_changing_the_contact_type_deactivates_the_rule_changed(app, world, rules):
    old = rules["passport"]
    response = post_form(client_as(app, world.manager), f"/rules/{old.id}", valid_form(world))
    assert response.status_code == 303, response.text
    [new] = active_rules(world.passport.id)
    assert new.contact_type == "call" and not old.active


def test_deactivating_a_rule(app, world, rules):
    rule = rules["passport"]
    client = client_as(app, world.manager)
    response = post_form(client, f"/rules/{rule.id}/deactivate", {}, page="/rules")
    assert response.status_code == 303
    assert active_rules(world.passport.id) == []
    assert audit_actions(world.manager.email) == ["rule.deactivate"]
    assert "No active rule" in client.get("/rules").text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"delay_minutes": "-5"}, "delay_minutes", "Must be from 0 to 129600, not -5"),
        ({"delay_minutes": "soon"}, "delay_minutes", "Not a valid integer value"),
        ({"sampling_percent": "0"}, "sampling_percent", "Enter a percentage"),
        ({"fallback_channel": "email"}, "fallback_channel", "The fallback must be another"),
        ({"quiet_start_hour": "21"}, "quiet_start_hour", "Give both the start and the end hour"),
        ({"mode": "callback"}, "mode", "cannot call clients back"),
        ({"reminder_after_days": "20"}, "reminder_after_days", "Must be from 1 to 13 days"),
        ({"excluded_attributes": "decision"}, "excluded_attributes", "Line 1 is not written"),
        ({"contact_type": "walk-in"}, "contact_type", "Not a valid choice"),
        ({"active_until": "2026-11-01"}, "active_until", "on or after"),
        ({"active_from": "December"}, "active_from", "Not a valid date value"),
        ({"quota_limit": "0"}, "quota_limit", "Must be from 1 to"),
    ],
)
def test_a_refused_rule_shows_each_error_beside_its_field(
    app,
    world,
    rules,
    changes,
    field,
    message,
):
    client = client_as(app, world.manager)
    response = post_form(client, "/rules/new?program=passport", valid_form(world, **changes))
    assert response.status_code == 400
    assert message in field_error(response.text, field)
    assert 'class="error-summary"' in response.text and f'href="#{field}' in response.text
    assert len(active_rules(world.passport.id)) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"quiet_start_hour": "21"}, "quiet_start_hour", "heure de début"),
        ({"delay_minutes": "soon"}, "delay_minutes", "entier"),
    ],
    ids=["service", "form"],
)
def test_errors_are_in_french_on_the_french_page(app, world, rules, changes, field, message):
    client = client_as(app, world.manager)
    client.get("/rules?lang=fr")
    response = post_form(client, "/rules/new?program=passport", valid_form(world, **changes))
    assert response.status_code == 400
    assert "Il y a un problème" in response.text
    assert message in field_error(response.text, field)


def test_a_channel_option_is_saved_with_the_rule(app, world, rules):
    data = valid_form(
        world,
        channel="voice_twilio",
        mode="conversation",
        **{"option-voice_twilio-record_answers": "y"},
    )
    del data["reminder_after_days"]
    response = post_form(client_as(app, world.manager), "/rules/new?program=passport", data)
    assert response.status_code == 303, response.text
    rule = next(r for r in active_rules(world.passport.id) if r.contact_type == "call")
    assert rule.channel_options == {"record_answers": True}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/rules/{citizenship}"),
        ("post", "/rules/{citizenship}"),
        ("post", "/rules/{citizenship}/deactivate"),
        ("get", "/rules/new?program=citizenship"),
        ("get", "/rules/nonexistent"),
    ],
)
def test_other_programs_rules_are_not_found(app, world, rules, monkeypatch, method, path):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    url = path.format(citizenship=rules["citizenship"].id)
    response = getattr(client_as(app, world.manager), method)(url, data=valid_form(world))
    assert response.status_code == 404
    assert rules["citizenship"].active


def test_an_admin_chooses_the_program_first(app, world, rules):
    page = client_as(app, world.admin).get("/rules/new")
    assert page.status_code == 200
    assert '<option value="citizenship">' in page.text and 'name="program"' in page.text


def simulate(client, **changes: str):
    data = {
        "program": "passport",
        "contact_type": "call",
        "attributes": "region=east",
        "client_ref": "client-9",
        "email": "someone@example.org",
        "phone": "",
        "language": "fr",
        "timezone": "America/Vancouver",
        "occurred_at": "2026-11-20T10:30",
    }
    data.update(changes)
    return post_form(client, "/rules/simulate", data)


def counts() -> list[int]:
    """Rows of the tables a planned contact would write to."""
    tables = (ContactEvent, Invitation, RuleQuotaUsage, AuditEvent)
    return [_db.session.scalar(select(func.count()).select_from(t)) for t in tables]


def test_simulating_a_contact_that_would_be_invited(app, world, rules):
    rules["passport"].quota_limit = 10  # a quota is read, not reserved
    _db.session.commit()
    before = counts()
    response = simulate(client_as(app, world.manager))
    assert response.status_code == 200, response.text
    assert "This contact would be invited" in response.text
    assert "Quota: 0 of 10" in response.text
    assert "America/Vancouver" in response.text and "UTC" in response.text
    assert f"/rules/{rules['passport'].id}" in response.text
    assert "<ol>" in response.text
    assert counts() == before


def test_simulating_a_client_surveyed_lately_shows_the_fatigue_skip(app, world, rules):
    invitation = make_sent_invitation(world.version, "a-token", n=9)
    before = counts()
    response = simulate(client_as(app, world.manager))
    assert response.status_code == 200, response.text
    assert "This contact would not be surveyed" in response.text
    assert str(invitation.created_at.year) in response.text
    assert counts() == before


def test_the_simulate_form_refuses_bad_input(app, world, rules):
    response = simulate(
        client_as(app, world.manager), client_ref="", timezone="Mars/Olympus", occurred_at="soon"
    )
    assert response.status_code == 400
    for field in ("client_ref", "timezone", "occurred_at"):
        assert field_error(response.text, field)


def test_simulating_another_programs_contact_is_refused(app, world, rules):
    response = simulate(client_as(app, world.manager), program="citizenship")
    assert response.status_code == 400
    assert field_error(response.text, "program")
