"""Client groups: the key written in SQL equals the Python encoding, on awkward values."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from feedback.reporting.facts import build, groups
from feedback.reporting.models import FactAnswerDaily, FactInvitationDaily
from tests.factories import make_setup
from tests.reporting.helpers import add_contact, at, rating

AWKWARD = [
    (
        {"region": "Québec", "age_band": "35-64", "office": "secret"},
        '{"age_band":"35-64","region":"Québec"}',
    ),
    ({"region": 'Say "hi" \\ there'}, '{"region":"Say \\"hi\\" \\\\ there"}'),
    ({"age_band": 65, "region": True}, '{"age_band":"65","region":"true"}'),
    ({"region": "x" * 100}, '{"region":"' + "x" * 64 + '"}'),
    ({"region": None, "other": "y"}, "{}"),
    ({}, "{}"),
]


@pytest.mark.parametrize(("attributes", "key"), AWKWARD)
def test_encode(attributes, key):
    assert groups.encode(attributes, ["region", "age_band", "bad name!"]) == key


def test_decode():
    assert groups.decode(AWKWARD[0][1]) == {"age_band": "35-64", "region": "Québec"}
    assert groups.decode(AWKWARD[1][1]) == {"region": 'Say "hi" \\ there'}
    assert groups.decode("{}") == {}
    assert groups.decode("not json") == {}
    assert groups.decode("[1]") == {}


def test_sql_writes_the_same_key_as_python(db):
    program, version, _rule = make_setup()
    program.reportable_attributes = ["region", "age_band"]
    for attributes, _key in AWKWARD:
        add_contact(
            version,
            sent_at=at("2026-05-02 10:00"),
            completed_at=at("2026-05-02 11:00"),
            answers={"overall": rating(4)},
            attributes=attributes,
        )
    db.session.commit()
    build.refresh(date(2026, 5, 2), date(2026, 5, 2))
    db.session.commit()
    expected = {key for _attributes, key in AWKWARD}
    for fact in (FactInvitationDaily, FactAnswerDaily):
        assert set(db.session.scalars(select(fact.client_group))) == expected
    empty = db.session.scalar(
        select(FactInvitationDaily.sent).where(FactInvitationDaily.client_group == "{}")
    )
    assert empty == 2


def test_a_program_without_reportable_attributes_has_one_group(db):
    _program, version, _rule = make_setup()
    add_contact(version, sent_at=at("2026-05-02 10:00"), attributes={"region": "North"})
    db.session.commit()
    build.refresh(date(2026, 5, 2), date(2026, 5, 2))
    assert db.session.scalars(select(FactInvitationDaily.client_group)).all() == ["{}"]
