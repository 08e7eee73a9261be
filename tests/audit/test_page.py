"""The audit log page: filters, pages, and the CSV export (same filters)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from feedback.audit import views
from feedback.audit.models import AuditEvent
from feedback.audit.services import record
from feedback.extensions import db
from tests.governance.conftest import client_as

JAN = datetime(2026, 1, 15, 12, tzinfo=UTC)
MAR = datetime(2026, 3, 15, 12, tzinfo=UTC)


def _setup(world) -> None:
    """Three known changes on top of the world's own (its rule and questionnaire, at now)."""
    db.session.query(AuditEvent).delete()
    record("user.update", world.manager, {"role": "analyst"}, {"role": "program_manager"},
           actor="boss@example.org").at = JAN  # fmt: skip
    record("rule.create", world.passport, None, {"channel": "email"}, program_id=world.passport.id,
           actor="pm@example.org").at = MAR  # fmt: skip
    record("questionnaire.create", world.citizenship, None, {"code": "=HYPERLINK(1)"},
           program_id=world.citizenship.id, actor="pm@example.org").at = MAR  # fmt: skip
    db.session.commit()


def actions(html: str) -> list[str]:
    return [a for a in ("user.update", "rule.create", "questionnaire.create") if a in html]


def test_filters_narrow_the_list(app, world):
    _setup(world)
    admin = client_as(app, world.admin)
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    assert actions(page.text) == ["user.update", "rule.create", "questionnaire.create"]
    assert "&#34;analyst&#34; → &#34;program_manager&#34;" in page.text
    assert actions(admin.get("/admin/audit?object_type=user").text) == ["user.update"]
    assert actions(admin.get("/admin/audit?actor=pm@example.org").text) == [
        "rule.create",
        "questionnaire.create",
    ]
    by_program = admin.get(f"/admin/audit?program={world.citizenship.id}").text
    assert actions(by_program) == ["questionnaire.create"]
    dates = admin.get("/admin/audit?date_from=2026-01-01&date_to=2026-01-31").text
    assert actions(dates) == ["user.update"]
    assert actions(admin.get("/admin/audit?date_from=2026-03-16").text) == []


def test_a_date_that_cannot_be_read_is_named_in_both_languages(app, world):
    _setup(world)
    admin = client_as(app, world.admin)
    page = admin.get("/admin/audit?date_from=31/01/2026")
    assert page.status_code == 400
    assert "Enter a date like 2026-01-31." in page.text
    assert (
        'href="#date_from"' in page.text
        and 'aria-describedby="date_from-hint date_from-error"' in page.text
    )
    french = admin.get("/admin/audit?date_from=demain&lang=fr").text
    assert "Entrez une date comme 2026-01-31." in french and "Journal des modifications" in french


def test_pages_of_changes(app, world, monkeypatch):
    _setup(world)
    monkeypatch.setattr(views, "PER_PAGE", 2)
    admin = client_as(app, world.admin)
    first = admin.get("/admin/audit?object_type=questionnaire&actor=&page=1").text
    assert 'rel="next"' not in first
    first = admin.get("/admin/audit").text
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "/admin/audit?page=2" in first
    last = admin.get("/admin/audit?page=3").text
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_the_csv_export_follows_the_filters_and_defuses_formulas(app, world):
    _setup(world)
    answer = client_as(app, world.admin).get("/admin/audit.csv?actor=pm@example.org")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    # Newest first; the two were recorded at the same time, so by the order of recording.
    assert [row["action"] for row in rows] == ["questionnaire.create", "rule.create"]
    questionnaire, rule = rows
    assert rule["program"] == "passport" and rule["actor"] == "pm@example.org"
    assert rule["before"] == "" and rule["after"] == '{"channel": "email"}'
    assert rule["at"].startswith("2026-03-15T12:00:00")
    assert questionnaire["after"] == '{"code": "=HYPERLINK(1)"}'  # JSON: starts with {
    assert questionnaire["program"] == "citizenship"


def test_a_formula_in_a_text_cell_is_defused(app, world):
    db.session.query(AuditEvent).delete()
    record("user.update", world.manager, None, None, actor="=cmd|' /C calc'!A0")
    db.session.commit()
    body = client_as(app, world.admin).get("/admin/audit.csv").get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert row["actor"].startswith("'=")
