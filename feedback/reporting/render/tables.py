"""Every table of the report document as data: one long-format CSV, or an XLSX workbook.

Both write `Cell.number` as the value (a suppressed cell has none, only its text) and never
compute anything. The CSV starts with a UTF-8 byte order mark so that Excel reads accents right;
its numbers use a decimal point, whatever the document's language. The workbook is written in
XlsxWriter's constant-memory mode (row by row), one sheet per table after an "About" sheet.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import xlsxwriter

from feedback.reporting import document as doc
from feedback.reporting.render import words

CSV_COLUMNS = ("table_id", "caption", "row", "column", "value", "text", "marker", "suppressed")
SHEET_NAME_LENGTH = 31
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def csv_rows(document: doc.Document) -> Iterable[tuple[Any, ...]]:
    """One row per figure cell (every column but the row header) of every table."""
    for table in document.tables():
        for row in table.rows:
            label = row[0].text
            for column, cell in zip(table.columns[1:], row[1:], strict=True):
                yield (
                    table.id,
                    table.caption,
                    label,
                    column,
                    "" if cell.number is None else cell.number,
                    cell.text,
                    cell.marker or "",
                    "true" if cell.suppressed else "false",
                )


def write_csv(document: doc.Document, target: str | Path | IO[str]) -> None:
    """Write the CSV to a path, or to an open text stream (opened with newline="")."""
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8", newline="") as stream:
            write_csv(document, stream)
        return
    target.write("\ufeff")
    writer = csv.writer(target)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(document))


def sheet_names(ids: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """Valid, unique sheet names for table ids: no []:*?/\\, at most 31 characters, unique
    regardless of case (as Excel wants), a "~2", "~3"... suffix telling apart cut names."""
    used = {name.casefold() for name in taken}
    names = []
    for id_ in ids:
        base = _NOT_IN_SHEET_NAMES.sub("_", id_).strip("'") or "table"
        name, n = base[:SHEET_NAME_LENGTH], 1
        while name.casefold() in used:
            n += 1
            suffix = f"~{n}"
            name = base[: SHEET_NAME_LENGTH - len(suffix)] + suffix
        used.add(name.casefold())
        names.append(name)
    return names


class _Formats:
    """The workbook's cell formats, made once each (XlsxWriter wants shared format objects)."""

    INTEGER = "#,##0"
    DECIMAL = "#,##0.0##"

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self._workbook = workbook
        self.caption = workbook.add_format({"bold": True, "font_size": 13})
        self.header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.text = workbook.add_format({"valign": "top"})
        self.suppressed = workbook.add_format({"align": "right"})
        self.note = workbook.add_format({"italic": True})
        self._numbers: dict[tuple[bool, str | None], Any] = {}

    def number(self, value: float | int, marker: str | None) -> Any:
        """A number format; a significance marker is shown after the number, which stays one."""
        integer = isinstance(value, int) or float(value).is_integer()
        key = (integer, marker)
        if key not in self._numbers:
            code = self.INTEGER if integer else self.DECIMAL
            if marker:
                code += ' "' + marker.replace('"', "") + '"'
            self._numbers[key] = self._workbook.add_format({"num_format": code})
        return self._numbers[key]


def write_xlsx(document: doc.Document, path: str | Path) -> None:
    said = words(document.language)
    tables = list(document.tables())
    about = said["about"]
    names = sheet_names((table.id for table in tables), taken=[about])
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "nan_inf_to_errors": True})
    try:
        formats = _Formats(workbook)
        sheet = workbook.add_worksheet(about)
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, 1, 70)
        sheet.write_string(0, 0, said["title"], formats.header)
        sheet.write_string(0, 1, document.title, formats.caption)
        sheet.write_string(1, 0, said["period"], formats.header)
        sheet.write_string(1, 1, document.subtitle)
        sheet.write_string(2, 1, said["generated"].format(date=document.generated))
        for row, (name, table) in enumerate(zip(names, tables, strict=True), start=4):
            sheet.write_string(row, 0, name)
            sheet.write_string(row, 1, table.caption)
        for name, table in zip(names, tables, strict=True):
            _write_table(workbook.add_worksheet(name), table, formats)
    finally:
        workbook.close()


def _write_table(sheet: Any, table: doc.Table, formats: _Formats) -> None:
    sheet.set_column(0, 0, min(max((len(r[0].text) for r in table.rows), default=10) + 2, 50))
    sheet.set_column(1, max(len(table.columns) - 1, 1), 16)
    sheet.freeze_panes(2, 1)
    sheet.write_string(0, 0, table.caption, formats.caption)
    for j, label in enumerate(table.columns):
        sheet.write_string(1, j, label, formats.header)
    for i, row in enumerate(table.rows, start=2):
        sheet.write_string(i, 0, row[0].text, formats.text)
        for j, cell in enumerate(row[1:], start=1):
            if cell.number is not None:
                sheet.write_number(i, j, cell.number, formats.number(cell.number, cell.marker))
            else:
                text = f"{cell.text} {cell.marker}" if cell.marker else cell.text
                sheet.write_string(
                    i, j, text, formats.suppressed if cell.suppressed else formats.text
                )
    for k, note in enumerate(table.notes, start=len(table.rows) + 3):
        sheet.write_string(k, 0, note, formats.note)
