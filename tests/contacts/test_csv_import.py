"""CSV import: the API's rules, errors by line, nothing valid lost."""

from __future__ import annotations

from sqlalchemy import func, select

from feedback.contacts.models import ContactEvent
from tests.factories import make_setup

HEADER = (
    "source,external_id,program,contact_type,occurred_at,language,"
    "client_reference,client_email,client_phone,client_timezone,attr_region\n"
)


def test_import_keeps_valid_rows_and_names_bad_lines(app, db, tmp_path):
    make_setup()
    path = tmp_path / "contacts.csv"
    path.write_text(
        HEADER
        + "desk,A1,passport,visit,2026-11-20T10:00:00-05:00,fr,R1,r1@example.org,,,Atlantic\n"
        + "desk,A2,passport,visit,not-a-date,en,R2,r2@example.org,,,\n"
        + "desk,A1,passport,visit,2026-11-20T10:00:00-05:00,fr,R1,r1@example.org,,,Atlantic\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["import-contacts", str(path)])
    assert result.exit_code == 1
    assert "line 3: rejected: occurred_at" in result.output
    assert "1 created, 1 duplicates, 0 conflicts, 1 rejected" in result.output
    event = db.session.scalar(select(ContactEvent))
    assert event.attributes == {"region": "Atlantic"} and event.language == "fr"
    assert db.session.scalar(select(func.count()).select_from(ContactEvent)) == 1


def test_missing_columns_is_a_clear_error(app, db, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("source,external_id\nx,y\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import-contacts", str(path)])
    assert result.exit_code != 0
    assert "missing columns: program, contact_type" in result.output
