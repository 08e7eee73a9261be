"""Report figures as text in the current locale, shared by the dashboard and the PDF."""

from __future__ import annotations

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from feedback.reporting.stats import Cell

# Statistics Canada's convention: "x" marks a figure suppressed to protect confidentiality.
SUPPRESSED_MARK = "x"
NO_DATA_MARK = "–"


def summary_headings() -> list[str]:
    """Column headings of the summary table, on the dashboard and in the PDF."""
    return [
        _("Program and channel"),
        _("Invitations sent"),
        _("Responses"),
        _("Response rate"),
        _("Satisfied (4 or 5)"),
        _("Confidence interval (95%)"),
        _("Mean rating (1 to 5)"),
        _("Mean effort (1 to 7)"),
        _("Net Promoter Score"),
    ]


def channel_label(name: str | None) -> str:
    labels = {"email": _("Email"), "sms": _("Text message"), "voice": _("Phone call")}
    if name is None:
        return _("All channels")
    return labels.get(name, name)


def _marked(cell: Cell) -> str | None:
    if cell.suppressed:
        return SUPPRESSED_MARK
    if cell.value is None:
        return NO_DATA_MARK
    return None


def count(cell: Cell) -> str:
    return _marked(cell) or format_decimal(cell.value, "#,##0")


def base(cell: Cell) -> str:
    """The number of answers or invitations a figure rests on."""
    return SUPPRESSED_MARK if cell.suppressed else format_decimal(cell.n or 0, "#,##0")


def percent(cell: Cell) -> str:
    return _marked(cell) or format_percent(cell.value)


def interval(cell: Cell) -> str:
    """A share's 95 % interval in percentage points, e.g. "49–94"."""
    marked = _marked(cell)
    if marked or cell.low is None or cell.high is None:
        return marked or NO_DATA_MARK
    return f"{format_decimal(100 * cell.low, '0')}–{format_decimal(100 * cell.high, '0')}"


def mean(cell: Cell) -> str:
    return _marked(cell) or format_decimal(cell.value, "0.0")


def nps(cell: Cell) -> str:
    return _marked(cell) or format_decimal(cell.value, "+0;-0")
