"""The facts of a generated data set equal an independent recount of its raw rows."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from feedback.programs.models import Program
from feedback.reporting.facts import build
from feedback.reporting.models import FactInvitationDaily
from tests.reporting.facts import data


def test_refresh_equals_a_recount_from_the_rows(db):
    data.contacts(data.versions(), random.Random(7), 120)
    result = build.refresh(data.START.date() - timedelta(days=1), date(2026, 3, 20))
    db.session.commit()
    expected = data.recount()
    assert data.stored() == expected
    assert expected["pairs"] and expected["values"] and expected["invitations"]
    assert result.pair_rows == len(expected["pairs"])
    # Some invitations were not reached, and the groups of the program without reportable
    # attributes are all empty.
    facts = db.session.scalars(select(FactInvitationDaily)).all()
    assert sum(f.reached for f in facts) < sum(f.sent for f in facts)
    assert {f.client_group for f in facts if f.program_id == _citizenship(db)} == {"{}"}


def test_rebuild_equals_a_recount_and_twice_changes_nothing(db):
    data.contacts(data.versions(), random.Random(11), 80)
    build.rebuild()
    db.session.commit()
    first = data.stored()
    assert first == data.recount()
    build.rebuild()
    db.session.commit()
    assert data.stored() == first


def _citizenship(db) -> str:
    return db.session.scalar(select(Program.id).where(Program.code == "citizenship"))
