"""A month of responses, counted into the facts, for the report job, CLI and view tests."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

from feedback.extensions import db
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.reporting.facts import build
from tests.reporting.helpers import add_contact, at, rating

MONTH = (date(2026, 5, 1), date(2026, 5, 31))


def add_month(version: QuestionnaireVersion, responses: int = 24, unanswered: int = 8) -> None:
    """In May 2026: `responses` completed (ratings 1 to 5 in turn, every third in French) and
    `unanswered` invitations; then the facts of the month are refreshed (the periodic update's
    work: a report reads the facts as they are)."""
    for n in range(responses + unanswered):
        sent = at(f"2026-05-{1 + n % 28:02d} 10:00")
        add_contact(
            version,
            sent_at=sent,
            completed_at=sent + timedelta(hours=1) if n < responses else None,
            answers={"overall": rating(1 + n % 5)} if n < responses else None,
            language="fr" if n % 3 == 0 else "en",
        )
    db.session.commit()
    build.refresh(*MONTH)
    db.session.commit()


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
