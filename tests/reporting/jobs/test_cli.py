"""`feedback report` in each format and language, its errors, and `feedback rollup`."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import func, select

from feedback.reporting import compose
from feedback.reporting.models import FactInvitationDaily
from tests.factories import make_setup
from tests.reporting.helpers import add_contact, at, rating
from tests.reporting.jobs.helpers import MONTH, add_month, pdf_text

DATES = ["--from", "2026-05-01", "--to", "2026-05-31"]


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture()
def month(db):
    program, version, _rule = make_setup()
    add_month(version)
    return program


def titles() -> dict[str, str]:
    options = compose.ReportOptions(date_from=MONTH[0], date_to=MONTH[1])
    return {language: compose.build(options, language).title for language in ("en", "fr")}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_in_each_language(app, month, tmp_path, lang):
    out = tmp_path / f"report-{lang}.pdf"
    result = run(app, "report", *DATES, "--lang", lang, "--format", "pdf", "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    assert f"written to {out}" in result.output
    assert "Building the report" in result.stderr  # the progress bar, on stderr
    other = {"en": "fr", "fr": "en"}[lang]
    text = pdf_text(out)
    assert titles()[lang] in text and titles()[other] not in text


def test_html_is_a_standalone_page_in_the_language(app, month, tmp_path):
    out = tmp_path / "rapport.html"
    result = run(app, "report", *DATES, "--lang", "fr", "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="fr"' in page and titles()["fr"] in page


def test_csv_and_xlsx_hold_the_report_tables(app, month, tmp_path):
    options = compose.ReportOptions(date_from=MONTH[0], date_to=MONTH[1])
    captions = {table.caption for table in compose.build(options, "en").tables()}
    out = tmp_path / "tables.csv"
    result = run(app, "report", *DATES, "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    cells = {cell for row in csv.reader(io.StringIO(out.read_text("utf-8-sig"))) for cell in row}
    assert captions & cells

    book = tmp_path / "tables.xlsx"
    result = run(app, "report", *DATES, "--format", "xlsx", "--out", str(book), "--weighted")
    assert result.exit_code == 0, result.output + result.stderr
    with zipfile.ZipFile(book) as workbook:
        assert any(name.startswith("xl/worksheets/") for name in workbook.namelist())


def test_program_codes_narrow_the_report(app, month, tmp_path, monkeypatch):
    seen = []
    real_build = compose.build

    def spy(options, language, **kwargs):
        seen.append(options)
        return real_build(options, language, **kwargs)

    monkeypatch.setattr(compose, "build", spy)
    out = tmp_path / "passport.csv"
    result = run(
        app, "report", *DATES, "--format", "csv", "--program", "passport", "--out", str(out)
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert seen[0].programs == frozenset([month.id])


def test_an_unknown_program_code_is_refused(app, month, tmp_path):
    out = tmp_path / "report.pdf"
    args = ["--program", "passport", "--program", "nope", "--program", "zzz"]
    result = run(app, "report", *DATES, *args, "--out", str(out))
    assert result.exit_code == 2
    assert "Invalid value for '--program': no program has the code nope, zzz" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "Invalid value for '--from'"),
        (["--from", "2026-01-01", "--to", "31/12/2026"], "Invalid value for '--to'"),
        (["--from", "2026-12-31", "--to", "2026-01-01"], "must not be before --from"),
        ([*DATES, "--lang", "de"], "Invalid value for '--lang'"),
        ([*DATES, "--format", "docx"], "Invalid value for '--format'"),
    ],
)
def test_bad_arguments_are_refused(app, db, tmp_path, args, message):
    out = tmp_path / "report.pdf"
    result = run(app, "report", *args, "--out", str(out))
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()


def test_a_path_it_cannot_write_is_refused(app, db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run(app, "report", *DATES, "--out", str(blocker / "report.pdf"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    result = run(app, "report", *DATES, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.stderr
    # /proc exists but takes no new file, whoever runs the tests.
    result = run(app, "report", *DATES, "--format", "csv", "--out", "/proc/report.csv")
    assert result.exit_code == 1
    assert "Error: cannot write /proc/report.csv" in result.stderr


def test_rollup_recomputes_the_facts_of_the_days(app, db):
    _program, version, _rule = make_setup()
    add_contact(version, sent_at=at("2026-06-01 10:00"))
    db.session.commit()
    result = run(app, "rollup", "--from", "2026-06-01", "--to", "2026-06-02")
    assert result.exit_code == 0, result.output + result.stderr
    assert "1 invitation rows" in result.output
    assert db.session.scalar(select(func.sum(FactInvitationDaily.sent))) == 1
    assert run(app, "rollup", "--from", "2026-06-02", "--to", "2026-06-01").exit_code == 2


def test_facts_update_then_rebuild(app, db):
    _program, version, _rule = make_setup()
    add_contact(
        version,
        sent_at=at("2026-06-01 10:00"),
        completed_at=at("2026-06-01 10:30"),
        answers={"overall": rating(4)},
    )
    db.session.commit()
    first = run(app, "facts", "update")
    assert first.exit_code == 0, first.output
    assert "facts rebuilt (first update):" in first.output
    counted = db.session.scalar(select(func.sum(FactInvitationDaily.completed)))
    assert counted == 1
    again = run(app, "facts", "update")
    assert again.exit_code == 0 and again.output.startswith("facts updated: ")
    rebuilt = run(app, "facts", "rebuild")
    assert rebuilt.exit_code == 0 and rebuilt.output.startswith("facts rebuilt: ")
    assert db.session.scalar(select(func.sum(FactInvitationDaily.completed))) == 1
