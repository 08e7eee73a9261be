"""The actions' rules and `actions_for`, the report's reading of them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.reporting.actions.demo import add_demo_actions
from feedback.reporting.actions.models import MAX_TEXT, ActionStatus
from feedback.reporting.actions.services import (
    ActionError,
    ActionSpec,
    actions_for,
    delete_action,
    possible_owners,
    update_action,
)
from feedback.reporting.themes.taxonomy import THEMES
from tests.reporting.actions.helpers import irritants, make_action


def test_actions_for_filters_by_program_and_theme_newest_first(world):
    first, second = irritants()[:2]
    old = make_action(world.passport, first, on=date(2026, 1, 5))
    new = make_action(world.passport, first, on=date(2026, 2, 5))
    other_theme = make_action(world.passport, second)
    elsewhere = make_action(world.citizenship, first)
    db.session.commit()
    assert actions_for({world.passport.id}, {first}) == [new, old]
    assert set(actions_for({world.passport.id})) == {old, new, other_theme}
    assert set(actions_for(None, {first})) == {old, new, elsewhere}
    assert actions_for(set()) == []


def test_both_texts_a_known_theme_and_a_staff_owner_are_required(world):
    praise = [code for code, theme in THEMES.items() if theme.praise]
    spec = ActionSpec(
        theme="no-such-theme",
        text={"en": " ", "fr": "x" * (MAX_TEXT + 1)},
        status=ActionStatus.PLANNED,
        action_date=date(2026, 3, 1),
        owner=world.analyst_out,  # works on citizenship, not passport
    )
    action = make_action(world.passport)
    with pytest.raises(ActionError) as raised:
        update_action(action, spec)
    assert set(raised.value.errors) == {"theme", "text_en", "text_fr", "owner"}
    if praise:  # praise is not an irritant to act on
        with pytest.raises(ActionError):
            make_action(world.passport, praise[0])


def test_owners_are_the_programs_staff_and_the_administrators(world):
    owners = possible_owners({world.passport.id})
    assert {world.admin, world.manager, world.analyst_in, world.colleague} <= set(owners)
    assert world.analyst_out not in owners and world.analyst_none not in owners


def test_every_change_is_audited_with_before_and_after(world):
    action = make_action(world.passport, owner=world.manager)
    spec = ActionSpec(
        theme=action.theme,
        text={"en": action.text_en, "fr": action.text_fr},
        status=ActionStatus.DONE,
        action_date=action.action_date,
        owner=world.manager,
    )
    update_action(action, spec)
    delete_action(action)
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == action.id).order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == ["action.create", "action.edit", "action.delete"]
    assert all(e.program_id == world.passport.id for e in events)
    assert events[0].after["owner"] == "manager@example.org"
    assert events[1].before == {"status": "in_progress"}
    assert events[1].after == {"status": "done"}
    assert events[2].before["text_fr"] == "Rappel offert aux heures de pointe."


def test_the_demo_actions_pass_the_rules_and_are_audited(world):
    actions = add_demo_actions(world.passport, date(2026, 6, 30))
    db.session.commit()
    assert actions_for({world.passport.id}) == sorted(
        actions, key=lambda action: (action.theme, -action.action_date.toordinal())
    )
    assert {action.status for action in actions} == set(ActionStatus)
    created = db.session.scalars(select(AuditEvent).filter_by(action="action.create")).all()
    assert len(created) == len(actions)
