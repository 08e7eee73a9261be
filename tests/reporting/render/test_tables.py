"""CSV and XLSX: every table cell read back, numbers as numbers, suppressed cells as their text."""

from __future__ import annotations

import csv
import io

import openpyxl

from feedback.reporting.document import Cell, Chart, Document, Scatter, Section, Table
from feedback.reporting.render import html, pdf, tables
from tests.reporting.render.sample import TEXTS, sample


def test_csv_is_long_format_with_a_bom(tmp_path):
    t = TEXTS["fr"]
    target = tmp_path / "report.csv"
    tables.write_csv(sample("fr"), target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == list(tables.CSV_COLUMNS)
    # 3 channels × 3 figures + 6 months × 2 years + 4 drivers × 2 measures.
    assert len(rows) == 9 + 12 + 8
    cell = {(r["table_id"], r["row"], r["column"]): r for r in rows}
    email = cell["by_channel", t["email"], t["satisfied"]]
    assert email["value"] == "0.81" and email["text"] == "81\u202f%" and email["marker"] == "▲"
    assert email["caption"] == t["by_channel"] and email["suppressed"] == "false"
    sms = cell["by_channel", t["sms"], t["responses"]]
    assert sms["value"] == "" and sms["text"] == "x" and sms["suppressed"] == "true"
    assert cell["by_channel", t["email"], t["responses"]]["value"] == "1250"
    assert cell["by_channel", t["email"], t["interval"]]["value"] == ""
    assert cell["passport_trend", "août 2026", t["this_year"]]["value"] == "0.8"
    assert cell["passport_drivers", "Délai de traitement", t["importance"]]["value"] == "0.42"


def test_csv_goes_to_an_open_stream_too():
    stream = io.StringIO(newline="")
    tables.write_csv(sample("en"), stream)
    text = stream.getvalue()
    assert text.startswith("\ufefftable_id,caption,row,column,value,text,marker,suppressed\r\n")
    assert "by_channel,Satisfaction by channel,Text message,Responses,,x,,true\r\n" in text


def test_xlsx_has_an_about_sheet_and_one_sheet_per_table(tmp_path):
    t = TEXTS["fr"]
    target = tmp_path / "report.xlsx"
    tables.write_xlsx(sample("fr"), target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["À propos", "by_channel", "passport_trend", "passport_drivers"]
    about = book["À propos"]
    assert about["B1"].value == t["title"] and about["B2"].value == t["subtitle"]
    sheet = book["by_channel"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == t["by_channel"]
    assert values[1] == [t["channel"], t["responses"], t["satisfied"], t["interval"]]
    assert sheet["B2"].font.b
    assert values[2] == [t["email"], 1250, 0.81, "78–84"]
    assert values[3] == [t["sms"], "x", "x", "x"]
    assert values[4] == [t["phone"], 412, 0.74, "70–78"]
    # The marker is part of the number format: the cell stays a number.
    assert sheet["C3"].number_format == '#,##0.0## "▲"'
    assert sheet["B3"].number_format == "#,##0"
    assert [row[0] for row in values[6:]] == [t["note_x"], t["note_up"]]


def test_sheet_names_are_valid_unique_and_short():
    names = tables.sheet_names(
        ["a" * 40, "a" * 40, "By:program/channel?", "About", "ABOUT"], taken=["About"]
    )
    assert names[0] == "a" * 31
    assert names[1] == "a" * 29 + "~2"
    assert names[2] == "By_program_channel_"
    assert names[3] == "About~2" and names[4] == "ABOUT~3"
    assert all(len(name) <= 31 for name in names)


def test_xlsx_with_clashing_long_table_ids(tmp_path):
    rows = ((Cell("a"), Cell("1", 1)),)
    long_id = "appendix_satisfaction_by_region_and_channel"
    document = Document(
        "en",
        "T",
        "P",
        "G",
        (
            Section(
                "s",
                "S",
                (
                    Table(long_id + "_1", "One", ("k", "n"), rows),
                    Table(long_id + "_2", "Two", ("k", "n"), rows),
                ),
            ),
        ),
    )
    target = tmp_path / "long.xlsx"
    tables.write_xlsx(document, target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["About", long_id[:31], long_id[:29] + "~2"]
    assert book[long_id[:29] + "~2"]["A1"].value == "Two"


def test_sparse_documents_render_in_every_format(tmp_path):
    """No rows, no categories, no points, a flat axis: every renderer still writes its file."""
    empty = Table("empty", "Nothing yet", ("Program", "Responses"), ())
    blocks = (
        empty,
        Chart("flat", "line", "Flat", (), (), "", "No data.", y_min=0, y_max=0),
        Scatter("none", "No drivers", "Importance", "Performance", (), "No data."),
    )
    document = Document("fr", "Rapport", "Période", "aujourd’hui", (Section("s", "S", blocks),))
    pdf.write(document, tmp_path / "r.pdf")
    assert "Nothing yet" in html.render(document)
    tables.write_csv(document, tmp_path / "r.csv")
    tables.write_xlsx(document, tmp_path / "r.xlsx")
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").count("\n") == 1
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames == ["À propos", "empty"]
