"""The client-perspective report as a bilingual PDF (reportlab platypus).

A title page in both languages, then the same section in English and in French, each rendered
under flask_babel.force_locale so that words and numbers follow that language's conventions.
Needs an application context, not a request: the CLI and the worker call it too.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import force_locale, format_date, format_datetime
from flask_babel import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from feedback.db_types import utcnow
from feedback.i18n import current_locale
from feedback.reporting import formatting as fmt
from feedback.reporting.stats import Summary, SummaryRow

LANGUAGES = ("en", "fr")
ACCENT = colors.HexColor("#26374a")
RULE = colors.HexColor("#b1b9c3")
STRIPE = colors.HexColor("#f1f3f5")
# Landscape: eight columns of figures with French headings need the width.
PAGE = landscape(LETTER)
CONTENT_WIDTH = PAGE[0] - 1.5 * inch

_styles = getSampleStyleSheet()
TITLE = ParagraphStyle("ReportTitle", parent=_styles["Title"], textColor=ACCENT, spaceAfter=6)
H1 = ParagraphStyle("ReportH1", parent=_styles["Heading1"], textColor=ACCENT)
H2 = ParagraphStyle("ReportH2", parent=_styles["Heading2"], textColor=ACCENT)
BODY = ParagraphStyle("ReportBody", parent=_styles["BodyText"], fontSize=10, leading=14)
NOTE = ParagraphStyle("ReportNote", parent=BODY, fontSize=8, leading=10)
CELL = ParagraphStyle("ReportCell", parent=BODY, fontSize=8, leading=10)
HEAD = ParagraphStyle("ReportHead", parent=CELL, fontName="Helvetica-Bold")
HEAD_NUMBER = ParagraphStyle("ReportHeadNumber", parent=HEAD, alignment=TA_RIGHT)
COVER = ParagraphStyle("ReportCover", parent=BODY, alignment=TA_CENTER)


def _pdf_text(text: str) -> str:
    """The standard PDF fonts have no narrow no-break space or minus sign: use near twins."""
    return text.replace("\u202f", "\xa0").replace("\u2212", "-")


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(_pdf_text(text)), style)


def _in_both(render: Callable[[], Any]) -> dict[str, Any]:
    """Call `render` once per language, under that locale."""
    rendered = {}
    for language in LANGUAGES:
        with force_locale(language):
            rendered[language] = render()
    return rendered


def _title_page(summary: Summary, generated_at: datetime) -> list[Flowable]:
    def block() -> list[Flowable]:
        period = _(
            "Period: %(start)s to %(end)s",
            start=format_date(summary.date_from, "long"),
            end=format_date(summary.date_to, "long"),
        )
        names = sorted({row.program_name[current_locale()] for row in summary.rows})
        programs = ", ".join(names) if names else _("none with data in this period")
        return [
            _p(_("Client feedback report"), TITLE),
            _p(period, COVER),
            _p(_("Generated: %(when)s", when=format_datetime(generated_at, "long")), COVER),
            _p(_("Programs: %(names)s", names=programs), COVER),
            Spacer(1, 0.4 * inch),
        ]

    rendered = _in_both(block)
    return [Spacer(1, 0.75 * inch), *rendered["en"], *rendered["fr"], PageBreak()]


def _table(header: list[str], rows: list[list[str]], widths: list[float], bold_last: bool) -> Table:
    data = [[_p(header[0], HEAD), *(_p(text, HEAD_NUMBER) for text in header[1:])]]
    data += [[_p(row[0], CELL), *(_pdf_text(cell) for cell in row[1:])] for row in rows]
    if bold_last:
        data[-1][0] = _p(rows[-1][0], HEAD)
    style = [
        ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 1, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
    ]
    if bold_last:
        style.append(("FONT", (1, -1), (-1, -1), "Helvetica-Bold", 8))
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _summary_cells(row: SummaryRow, label: str) -> list[str]:
    return [
        label,
        fmt.count(row.sent),
        fmt.count(row.responses),
        fmt.percent(row.response_rate),
        fmt.percent(row.satisfaction),
        fmt.interval(row.satisfaction),
        fmt.mean(row.mean_rating),
        fmt.mean(row.mean_effort),
        fmt.nps(row.nps),
    ]


def _summary_table(summary: Summary, language: str) -> Table:
    rows = [
        _summary_cells(row, f"{row.program_name[language]} – {fmt.channel_label(row.channel)}")
        for row in summary.rows
    ]
    rows.append(_summary_cells(summary.overall, _("All programs and channels")))
    first = 1.7 * inch
    rest = (CONTENT_WIDTH - first) / 8
    return _table(fmt.summary_headings(), rows, [first] + [rest] * 8, bold_last=True)


def _period_label(summary: Summary, day: Any) -> str:
    return format_date(day, "d MMM" if summary.trend_period == "week" else "MMM yyyy")


def _trend_chart(summary: Summary) -> Drawing:
    height = 2.4 * inch
    drawing = Drawing(CONTENT_WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 42
    chart.width, chart.height = CONTENT_WIDTH - 48, height - 54
    values = [
        None if point.satisfaction.value is None else round(100 * point.satisfaction.value, 1)
        for point in summary.trend
    ]
    chart.data = [values or [None]]
    chart.bars[0].fillColor = ACCENT
    chart.bars[0].strokeColor = None
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    chart.categoryAxis.categoryNames = [
        _pdf_text(_period_label(summary, point.period_start)) for point in summary.trend
    ] or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 35
    chart.categoryAxis.labels.boxAnchor = "ne"
    drawing.add(chart)
    return drawing


def _trend_table(summary: Summary) -> Table:
    header = [
        _("Week of") if summary.trend_period == "week" else _("Month"),
        _("Rating answers"),
        _("Satisfied (4 or 5)"),
        _("Confidence interval (95%)"),
    ]
    rows = [
        [
            _period_label(summary, point.period_start),
            fmt.base(point.satisfaction),
            fmt.percent(point.satisfaction),
            fmt.interval(point.satisfaction),
        ]
        for point in summary.trend
    ]
    return _table(header, rows, [1.5 * inch] + [1.2 * inch] * 3, bold_last=False)


def _section(summary: Summary, language: str) -> list[Flowable]:
    chart_title = (
        _("Satisfaction by week") if summary.trend_period == "week" else _("Satisfaction by month")
    )
    methods = _(
        "Figures come from the daily counts of invitations and answers for the days from "
        "%(start)s to %(end)s (UTC). Invitations are counted on the day they were sent, and so "
        "are the responses to them: the response rate is the share of the invitations sent in "
        "the period that were answered. Answers are counted on the day they were given. "
        "Satisfaction is the share of answers of 4 or 5 to the rating questions (1 to 5), with "
        "a 95%% Wilson score interval. The Net Promoter Score is the percentage of answers of 9 "
        "or 10 minus the percentage of answers of 0 to 6 to the recommendation question (0 to "
        "10). Mean effort is the mean answer to the effort questions (1 very difficult to 7 very "
        "easy). To protect respondents, a figure based on fewer than %(min)s invitations or "
        "answers is suppressed, and so is a response rate whose number of responses is "
        "suppressed.",
        start=format_date(summary.date_from, "long"),
        end=format_date(summary.date_to, "long"),
        min=summary.min_cell,
    )
    return [
        _p(_("Summary"), H1),
        _summary_table(summary, language),
        Spacer(1, 6),
        _p(
            _(
                "x: suppressed because it is based on fewer than %(min)s invitations or answers.",
                min=summary.min_cell,
            ),
            NOTE,
        ),
        _p(_("–: no answers in the period."), NOTE),
        KeepTogether(
            [
                _p(chart_title, H2),
                _p(
                    _(
                        "Share of answers of 4 or 5 to the rating questions, in percent. "
                        "Periods with suppressed figures have no bar."
                    ),
                    NOTE,
                ),
                _trend_chart(summary),
            ]
        ),
        _trend_table(summary),
        _p(_("Methods"), H2),
        _p(methods),
    ]


def write_pdf(summary: Summary, path: Path, generated_at: datetime | None = None) -> Path:
    """Write the report to `path`, replacing any previous file only once the new one is whole."""
    generated_at = generated_at or utcnow()
    titles = _in_both(lambda: _("Client feedback report"))
    footer = _pdf_text(f"{titles['en']} / {titles['fr']}")
    story = _title_page(summary, generated_at)
    sections = _in_both(lambda: _section(summary, current_locale()))
    story += [*sections["en"], PageBreak(), *sections["fr"]]

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(doc.leftMargin, 0.5 * inch, footer)
        canvas.drawRightString(PAGE[0] - doc.rightMargin, 0.5 * inch, str(doc.page))
        canvas.restoreState()

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(handle)
    try:
        document = SimpleDocTemplate(
            partial,
            pagesize=PAGE,
            leftMargin=0.75 * inch,
            rightMargin=0.75 * inch,
            topMargin=0.75 * inch,
            bottomMargin=0.85 * inch,
            title=footer,
        )
        document.build(story, onFirstPage=decorate, onLaterPages=decorate)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return path
