"""Hostile input on the staff pages gets a clear 4xx and changes nothing: control characters
(PostgreSQL refuses NUL), dates at the end of time, pages past any list, stray query arguments,
option values an answer cannot hold."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.programs.models import Program
from feedback.questionnaires import kinds
from tests.governance.conftest import client_as


@pytest.fixture()
def no_csrf(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


@pytest.mark.parametrize("bad", ["Passe\x00port", "Pass\x1bport", "Pass\x7fport"])
def test_a_control_character_in_a_staff_form_is_refused_with_a_page_that_says_so(
    app, world, no_csrf, bad
):
    before = db.session.scalar(select(Program.name_en).where(Program.id == world.passport.id))
    response = client_as(app, world.manager).post(
        f"/programs/{world.passport.id}",
        data={"name_en": bad, "name_fr": "Passeport", "timezone": "America/Toronto"},
    )
    assert response.status_code == 400
    assert "control character" in response.text
    db.session.expire_all()
    assert db.session.get(Program, world.passport.id).name_en == before


def test_simulating_a_contact_at_the_end_of_time_is_a_field_error(app, world, no_csrf):
    response = client_as(app, world.manager).post(
        "/rules/simulate",
        data={
            "program": world.passport.code,
            "contact_type": "call",
            "client_ref": "C-1",
            "language": "en",
            "occurred_at": "9999-12-31T23:59",
        },
    )
    assert response.status_code in (200, 400)
    assert "between the years 2000 and 2100" in response.text


@pytest.mark.parametrize(
    "query", ["page=999999999999999999999", "page=2&endpoint=x", "page=2&_method=POST"]
)
def test_the_follow_up_list_takes_any_page_and_ignores_stray_arguments(app, world, query):
    response = client_as(app, world.manager).get(f"/follow-ups?{query}")
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["x" * 65, "a\x00b"])
def test_an_option_value_an_answer_cannot_hold_is_refused(value):
    options = [{"value": value, "en": "A", "fr": "A"}, {"value": "b", "en": "B", "fr": "B"}]
    problems = kinds.get("single_choice").check_options(options)
    assert any("at most 64 characters" in problem for problem in problems)
    assert (
        kinds.get("single_choice").check_options([{**options[0], "value": "a"}, options[1]]) == []
    )


def test_programs_are_unchanged_in_count(app, world, no_csrf):
    count = db.session.scalar(select(func.count()).select_from(Program))
    client_as(app, world.admin).post("/programs/new", data={"code": "x\x00", "name_en": "X"})
    assert db.session.scalar(select(func.count()).select_from(Program)) == count
