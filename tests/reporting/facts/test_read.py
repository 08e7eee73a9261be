"""Reading the facts: sums by dimension and filters, checked against a recount of the rows."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from feedback.programs.models import Program
from feedback.reporting.facts import build, groups
from feedback.reporting.facts.read import (
    Scope,
    invitation_counts,
    invitation_counts_by,
    pair_counts,
    reportable_groups,
    value_counts,
    value_counts_by,
)
from feedback.reporting.models import FactInvitationDaily
from tests.factories import make_setup
from tests.reporting.facts import data
from tests.reporting.helpers import add_contact, add_invitation_fact, at, rating

ALL = Scope(date(2026, 2, 1), date(2026, 4, 30))


@pytest.fixture()
def facts(db):
    data.contacts(data.versions(), random.Random(21), 150)
    build.rebuild()
    db.session.commit()
    return data.recount()


def _program(db, code: str) -> str:
    return db.session.scalar(select(Program.id).where(Program.code == code))


def test_invitations_by_program_and_channel(db, facts):
    expected: Counter = Counter()
    for (_day, program, channel, *_rest, measure), n in facts["invitations"].items():
        expected[((program, channel), measure)] += n
    rows = invitation_counts(ALL, ["program", "channel"])
    assert len(rows) == 4
    for row in rows:
        for measure in ("sent", "reached", "completed"):
            assert getattr(row, measure) == expected[(row.key, measure)]
    assert sum(r.sent for r in rows) == sum(n for (*_k, m), n in expected.items() if m == "sent")


def test_invitations_by_group_with_a_group_filter(db, facts):
    passport = _program(db, "passport")
    scope = Scope(ALL.date_from, ALL.date_to, groups={"region": frozenset({"Québec", "Ontario"})})
    expected: Counter = Counter()
    for (_day, program, _c, _t, _l, key, measure), n in facts["invitations"].items():
        region = groups.decode(key).get("region")
        if measure == "sent" and region in {"Québec", "Ontario"}:
            assert program == passport
            expected[(region, groups.decode(key).get("age_band"))] += n
    rows = invitation_counts(scope, ["group:region", "group:age_band"])
    assert {r.key: r.sent for r in rows} == dict(expected)
    assert any(r.key[1] is None for r in rows)  # no age band given


def test_filters_and_periods(db, facts):
    scope = Scope(
        date(2026, 3, 2),
        date(2026, 3, 8),
        languages=frozenset({"fr"}),
        channels=frozenset({"sms"}),
        contact_types=frozenset({"call"}),
        programs=frozenset({_program(db, "passport")}),
    )
    expected: Counter = Counter()
    for (day, program, channel, ctype, language, _g, measure), n in facts["invitations"].items():
        if (
            measure == "sent"
            and scope.date_from <= day <= scope.date_to
            and (program, channel, ctype, language)
            == (_program(db, "passport"), "sms", "call", "fr")
        ):
            expected[(date.fromordinal(day.toordinal() - day.weekday()).isoformat(),)] += n
    assert {r.key: r.sent for r in invitation_counts(scope, ["period:week"])} == dict(expected)
    (march,) = invitation_counts(scope, ["period:month"])
    (quarter,) = invitation_counts(scope, ["period:quarter"])
    assert march.key == ("2026-03-01",) and quarter.key == ("2026-01-01",)
    assert march.sent == quarter.sent == sum(expected.values())
    (total,) = invitation_counts(scope, [])
    assert total.key == () and total.sent == march.sent


def test_quarter_and_month_starts(db):
    program, _version, _rule = make_setup()
    for day in (date(2026, 5, 20), date(2026, 8, 1), date(2026, 12, 31)):
        add_invitation_fact(program, day, sent=1, completed=0)
    db.session.commit()
    scope = Scope(date(2026, 1, 1), date(2026, 12, 31))
    assert [r.key for r in invitation_counts(scope, ["period:quarter"])] == [
        ("2026-04-01",),
        ("2026-07-01",),
        ("2026-10-01",),
    ]
    assert [r.key for r in invitation_counts(scope, ["period:month"])][0] == ("2026-05-01",)


def test_values_by_topic_and_kind(db, facts):
    expected: Counter = Counter()
    for key, n in facts["values"].items():
        expected[(key[7], key[8] if key[8] is not None else key[9], key[5])] += n
    rows = value_counts(ALL, ["language"], topics={"overall"})
    assert rows and {r.topic for r in rows} == {"overall"} and {r.kind for r in rows} == {"rating"}
    assert {(r.question_id, r.value, r.key[0]): r.count for r in rows} == {
        k: n for k, n in expected.items() if k[0] in {r.question_id for r in rows}
    }
    choices = value_counts(ALL, [], kinds={"single_choice"})
    assert {r.value for r in choices} <= {"phone", "office", "online"}
    assert sum(r.count for r in value_counts(ALL, [])) == sum(facts["values"].values())


def test_pairs(db, facts):
    expected: Counter = Counter()
    for key, n in facts["pairs"].items():
        expected[key[3:]] += n
    rows = pair_counts(ALL, [])
    assert {(r.topic_a, r.value_a, r.topic_b, r.value_b): r.count for r in rows} == dict(expected)
    assert all(r.topic_a < r.topic_b for r in rows)
    # By program and month; a channel filter does not narrow pairs (kept by program only).
    scope = Scope(ALL.date_from, ALL.date_to, channels=frozenset({"sms"}))
    by_program = pair_counts(scope, ["program", "period:month"])
    assert {r.key[0] for r in by_program} == {_program(db, "passport"), _program(db, "citizenship")}
    assert sum(r.count for r in by_program) == sum(expected.values())
    with pytest.raises(ValueError):
        pair_counts(ALL, ["group:region"])


def test_reportable_groups(db, facts):
    seen = reportable_groups(ALL)
    assert seen == {"age_band": ["18-34", "35-64", "65"], "region": sorted(data.REGIONS)}
    only = reportable_groups(
        Scope(ALL.date_from, ALL.date_to, programs=frozenset({_program(db, "citizenship")}))
    )
    assert only == {}


@pytest.mark.parametrize("regions", [None, frozenset({"Québec", "Ontario"})])
def test_several_sets_in_one_reading_are_each_set_read_alone(db, facts, regions):
    # On PostgreSQL one GROUPING SETS statement (two group dimensions share one grouping).
    scope = Scope(ALL.date_from, ALL.date_to, groups={"region": regions} if regions else {})
    sets = [
        ["program", "channel", "contact_type"],
        ["program", "channel", "group:region"],
        ["program", "channel", "group:age_band"],
        ["program", "channel", "period:month"],
        ["language"],
        ["program", "channel"],
    ]
    assert invitation_counts_by(scope, sets) == [invitation_counts(scope, by) for by in sets]
    for kinds in (None, ["rating"]):
        together = value_counts_by(scope, sets, kinds=kinds)
        assert together == [value_counts(scope, by, kinds=kinds) for by in sets]
        assert all(together)


def test_zero_counts_are_left_out_and_unknown_dimensions_refused(db):
    program, version, _rule = make_setup()
    add_contact(version, sent_at=at("2026-06-01 10:00"), answers={"overall": rating(3)})
    add_invitation_fact(program, date(2026, 6, 2), sent=0, completed=0)
    db.session.commit()
    build.refresh(date(2026, 6, 1), date(2026, 6, 2))
    db.session.add(
        FactInvitationDaily(
            day=date(2026, 6, 3),
            program_id=program.id,
            channel="sms",
            contact_type="call",
            language="en",
            sent=0,
            reached=0,
            completed=0,
        )
    )
    db.session.commit()
    scope = Scope(date(2026, 6, 1), date(2026, 6, 3))
    assert [r.key for r in invitation_counts(scope, ["channel"])] == [("email",)]
    assert value_counts(scope, []) == []  # a partial response counts no answer
    for bad in ("region", "period:year", "group:Bad Name"):
        with pytest.raises(ValueError):
            invitation_counts(scope, [bad])
