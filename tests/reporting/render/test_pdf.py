"""The PDF renderer: text that pdftotext reads back in each language, outline, /Lang, metadata."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from feedback.reporting.document import Cell, Document, Section, Table
from feedback.reporting.render import pdf
from tests.reporting.render.sample import TEXTS, sample

PDFTOTEXT = Path("/usr/bin/pdftotext")


def pdftotext(path: Path) -> str:
    """The PDF's text as laid out (table rows stay rows), spaces of every kind as one space."""
    if not PDFTOTEXT.exists():
        message = f"the PDF text checks need {PDFTOTEXT} (apt-get install poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [str(PDFTOTEXT), "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(result.stdout.replace("\xa0", " ").split())


@pytest.fixture(scope="module", params=["en", "fr"])
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    language = request.param
    target = tmp_path_factory.mktemp("pdf") / "out" / f"report-{language}.pdf"
    written = pdf.write(sample(language), target)
    return language, written


def test_writes_a_whole_pdf_and_no_partial_file(rendered):
    _language, path = rendered
    assert path.read_bytes().startswith(b"%PDF")
    assert not list(path.parent.glob("*.part"))


def test_text_has_the_cover_headings_figures_and_accents(rendered):
    language, path = rendered
    t = TEXTS[language]
    text = pdftotext(path)
    for expected in (
        t["title"],
        t["subtitle"],
        t["summary"],
        t["methodology"],
        t["disclosure"],
        t["program"],
        t["drivers"],
        t["irritants"],
        t["summary_text"],
        t["quotes"][0],
        t["chart_text"],
        t["x_label"],
    ):
        assert " ".join(expected.split()) in text, expected
    # Table rows come out in reading order, the suppressed ones as their "x".
    if language == "en":
        assert "Email 1,250 81% (+) 78–84" in text
        assert "Text message x x x" in text
        assert "Page 2 of 4" in text
        assert "Generated on October 2, 2026" in text
    else:
        assert "Courriel 1 250 81 % (+) 78–84" in text
        assert "Message texte x x x" in text
        assert "Page 2 de 4" in text
        assert "Produit le 2 octobre 2026" in text
        for word in ("Délai de traitement", "Rendement", "Téléphone", "août 2026", "Clarté"):
            assert word in text, word
    # The significance marker is shown the same way in the cells and in the notes explaining it.
    assert "(+) " + t["note_up"].removeprefix("▲ ") in text
    # The cover has no page number; no word is broken by a hyphen at a line end.
    assert text.count("Page 1 ") == 0
    assert not re.search(r"\w- \w", text.replace(" - ", " "))


def test_outline_nests_the_sections(rendered):
    language, path = rendered
    t = TEXTS[language]
    reader = PdfReader(path)

    def titles(entries) -> list:
        return [titles(e) if isinstance(e, list) else e.title for e in entries]

    assert titles(reader.outline) == [
        t["summary"],
        t["methodology"],
        [t["disclosure"]],
        t["overview"],
        t["program"],
        [t["drivers"], t["irritants"]],
    ]
    # The program's section starts on a new page, where its bookmark points.
    program = reader.outline[4]
    page = reader.get_destination_page_number(program)
    assert t["program"] in reader.pages[page].extract_text()
    assert page > reader.get_destination_page_number(reader.outline[3])


def test_language_title_and_subject_are_in_the_pdf(rendered):
    language, path = rendered
    reader = PdfReader(path)
    assert reader.trailer["/Root"]["/Lang"] == language
    assert reader.metadata.title == TEXTS[language]["title"]
    assert reader.metadata.subject == TEXTS[language]["subtitle"]
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]


def test_characters_outside_the_font_are_mapped_to_twins():
    assert pdf.pdf_text("▲ 72\u202f% ≥ 5 \u2212 ▼ ☃") == "(+) 72\xa0% >= 5 - (-) ?"


def test_a_long_table_repeats_its_header_on_every_page(tmp_path):
    rows = tuple((Cell(f"Office {n}"), Cell(str(n), n)) for n in range(150))
    table = Table("offices", "Responses by office", ("Office", "Responses"), rows)
    document = Document("en", "Offices", "2026", "today", (Section("all", "All", (table,)),))
    text = pdftotext(pdf.write(document, tmp_path / "long.pdf"))
    pages = PdfReader(tmp_path / "long.pdf").pages
    assert len(pages) >= 4
    assert text.count("Office Responses") == len(pages) - 1  # every page but the cover
    assert "Office 149 149" in text


def _wide_table(columns: int) -> Table:
    labels = (
        "Response rate denominator",
        *(f"Questionnaires completed {n}" for n in range(columns)),
    )
    rows = tuple(
        (Cell(f"Channel {r}"), *(Cell(f"{n * 7 + r:,} (95 %)", n) for n in range(columns)))
        for r in range(3)
    )
    return Table("wide", "A wide table", labels, rows, notes=("Read across the parts.",))


@pytest.mark.parametrize("columns", [6, 14])
def test_a_wide_table_breaks_no_word_or_number(tmp_path, columns):
    """A table is set smaller, then cut by columns (each part repeating the row headers),
    rather than break a word or a figure across lines."""
    table = _wide_table(columns)
    document = Document("en", "Wide", "2026", "today", (Section("all", "All", (table,)),))
    text = pdftotext(pdf.write(document, tmp_path / "wide.pdf"))
    # A header may wrap between its words, never inside one.
    assert text.split().count("Questionnaires") == columns
    assert text.split().count("completed") == columns
    assert "denominator" in text.split()
    for n in range(columns):
        for r in range(3):
            assert f"{n * 7 + r:,} (95 %)" in text
    parts = re.findall(r"A wide table \((\d)/(\d)\)", text)
    if columns == 14:
        assert parts and parts[0] == ("1", parts[0][1]) and int(parts[0][1]) >= 2
        assert text.count("Channel 0") == int(parts[0][1])  # row headers repeated in each part
    else:
        assert not parts and "A wide table" in text
    assert text.count("Read across the parts.") == 1
