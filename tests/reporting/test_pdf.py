"""The bilingual PDF: headings and figures in English and in French, suppression marked."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from pypdf import PdfReader

from feedback.reporting import pdf, stats
from tests.factories import make_setup
from tests.reporting.helpers import add_answer_facts, add_invitation_fact


def text_of(path: Path) -> str:
    """The PDF's text with no-break spaces as plain spaces and lines joined."""
    pages = [page.extract_text() for page in PdfReader(path).pages]
    return " ".join(" ".join(pages).replace("\xa0", " ").split())


def test_pdf_has_both_languages_and_the_figures(db, tmp_path):
    program, version, _rule = make_setup()
    add_invitation_fact(program, date(2026, 2, 3), sent=1250, completed=400)
    add_answer_facts(version, date(2026, 2, 3), "overall", {5: 300, 4: 60, 2: 40})
    add_answer_facts(version, date(2026, 2, 3), "recommend", {10: 200, 8: 100, 2: 100})
    add_invitation_fact(program, date(2026, 2, 3), sent=5, completed=2, channel="sms")
    db.session.commit()
    summary = stats.summary(date(2025, 12, 1), date(2026, 3, 31), min_cell=10)
    target = tmp_path / "out" / "report.pdf"

    written = pdf.write_pdf(summary, target, generated_at=datetime(2026, 4, 1, 12, tzinfo=UTC))

    assert written == target and target.read_bytes().startswith(b"%PDF")
    assert not list(target.parent.glob("*.part"))
    text = text_of(target)
    for english, french in [
        ("Client feedback report", "Rapport sur la rétroaction des clients"),
        ("Response rate", "Taux de réponse"),
        ("Satisfaction by month", "Satisfaction par mois"),
        ("Methods", "Méthodologie"),
        ("Passport services", "Services de passeport"),
        (
            "Period: December 1, 2025 to March 31, 2026",
            "Période : du 1 décembre 2025 au 31 mars 2026",
        ),
    ]:
        assert english in text, english
        assert french in text, french
    # 400 of 1,250 answered; 360 of 400 ratings are 4 or 5 (Wilson 87-93 %); mean 4.55;
    # NPS 100 * (200 - 100) / 400.
    assert "Passport services – Email 1,250 400 32% 90% 87–93 4.6 – +25" in text
    assert "Services de passeport – Courriel 1 250 400 32 % 90 % 87–93 4,6 – +25" in text
    assert "Passport services – Text message x x x – – – – –" in text
    # The SMS row is suppressed, and the footnote says why, in both languages.
    assert "x: suppressed because it is based on fewer than 10" in text
    assert "x : supprimé, car fondé sur moins de 10" in text


def test_pdf_without_data_still_renders(db, tmp_path):
    summary = stats.summary(date(2026, 1, 1), date(2026, 1, 7), min_cell=10)
    target = pdf.write_pdf(summary, tmp_path / "empty.pdf")
    text = text_of(target)
    assert "Satisfaction by week" in text and "Satisfaction par semaine" in text
