"""The report document as a PDF (reportlab platypus): cover, sections, tables and charts.

Each section and subsection becomes an outline entry (nested as the sections are), and the PDF
carries the document's title, subject (the period) and language (/Lang in the catalog). Pages
after the cover say "Page n of m" in the document's language.

Fonts are the standard Helvetica family (WinAnsi encoding), which has every French letter. The few
characters it lacks are mapped to near twins before layout (see `pdf_text`): the narrow no-break
space becomes a no-break space, the minus sign a hyphen, "≥"/"≤" become ">="/"<=", and the
significance markers "▲"/"▼" become "(+)"/"(-)", in the cells and in the table notes that
explain them alike. Anything else outside WinAnsi is shown as "?".
Words are never hyphenated, so that pdftotext gives them back whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics import shapes as rl
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as Para
from reportlab.platypus import Table as RLTable

from feedback.reporting import document as doc
from feedback.reporting.render import charts, numeric_columns, words

PAGE = LETTER
MARGIN = 0.75 * inch
WIDTH = PAGE[0] - 2 * MARGIN
ACCENT = colors.HexColor("#26374a")
RULE = colors.HexColor("#b1b9c3")
STRIPE = colors.HexColor("#f1f3f5")
MUTED = colors.HexColor("#3d4247")
FOOTER_FONT = ("Helvetica", 8)
FOOTER_Y = 0.5 * inch

_BASE = ParagraphStyle("ReportBase", fontName="Helvetica", fontSize=10, leading=14, spaceAfter=6)
COVER_TITLE = ParagraphStyle(
    "ReportCoverTitle", _BASE, fontName="Helvetica-Bold", fontSize=26, leading=32, textColor=ACCENT
)
COVER_LINE = ParagraphStyle("ReportCoverLine", _BASE, fontSize=14, leading=20, spaceAfter=10)
HEADINGS = tuple(
    ParagraphStyle(
        f"ReportH{level + 1}",
        _BASE,
        fontName="Helvetica-Bold",
        fontSize=size,
        leading=size * 1.25,
        textColor=ACCENT,
        spaceBefore=size * 0.6,
        spaceAfter=size * 0.4,
        keepWithNext=True,
    )
    for level, size in enumerate((18, 14, 12, 11))
)
BODY = _BASE
BULLET = ParagraphStyle("ReportBullet", _BASE, leftIndent=14, bulletIndent=4, spaceAfter=3)
QUOTE = ParagraphStyle(
    "ReportQuote",
    _BASE,
    fontName="Helvetica-Oblique",
    leftIndent=18,
    rightIndent=18,
    textColor=MUTED,
)
CAPTION = ParagraphStyle(
    "ReportCaption",
    _BASE,
    fontName="Helvetica-Bold",
    spaceBefore=6,
    spaceAfter=4,
    keepWithNext=True,
)
NOTE = ParagraphStyle("ReportNote", _BASE, fontSize=8, leading=10, spaceAfter=2, textColor=MUTED)
CELL = ParagraphStyle("ReportCell", _BASE, fontSize=8, leading=10, spaceAfter=0)
CELL_NUMBER = ParagraphStyle("ReportCellNumber", CELL, alignment=TA_RIGHT)
HEAD = ParagraphStyle("ReportHead", CELL, fontName="Helvetica-Bold")
HEAD_NUMBER = ParagraphStyle("ReportHeadNumber", HEAD, alignment=TA_RIGHT)

_TWINS = str.maketrans(
    {
        "\u202f": "\xa0",
        "\u2009": " ",
        "\u2212": "-",
        "\u2011": "-",
        "≥": ">=",
        "≤": "<=",
        "▲": "(+)",
        "▼": "(-)",
    }
)


def pdf_text(text: str) -> str:
    """`text` in characters that Helvetica (WinAnsi) can show (see the module docstring)."""
    text = text.translate(_TWINS)
    return "".join(c if _winansi(c) else "?" for c in text)


def _winansi(character: str) -> bool:
    try:
        character.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _markup(text: str) -> str:
    return escape(pdf_text(text))


class _Heading(Para):
    """A section title that the template turns into a bookmark and an outline entry."""

    def __init__(self, section: doc.Section, level: int) -> None:
        super().__init__(_markup(section.title), HEADINGS[min(level, len(HEADINGS) - 1)])
        self.outline = (section.title, f"s-{section.id}", level)


class _Template(BaseDocTemplate):
    def afterFlowable(self, flowable: Flowable) -> None:
        outline = getattr(flowable, "outline", None)
        if outline is not None:
            title, key, level = outline
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=False)


class _FooterCanvas(Canvas):
    """A canvas that writes "Page n of m" at the foot of every page but the cover, in one pass.

    The page count m is known only at the end: each footer shows a form (a PDF XObject) named
    "page-count", which `save` defines once the last page is done. The count is left-aligned in
    room for three digits, after the words right-aligned before it.
    """

    def __init__(self, *args: Any, footer: str, page_words: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer_text = footer
        self._before_count, _, self._after_count = page_words.partition("{m}")
        self._count_x = PAGE[0] - MARGIN - self.stringWidth("000" + self._after_count, *FOOTER_FONT)

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        if self.getPageNumber() > 1:
            self.saveState()
            self.setFont(*FOOTER_FONT)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, FOOTER_Y, self._footer_text)
            words_before = self._before_count.format(n=self.getPageNumber())
            self.drawRightString(self._count_x, FOOTER_Y, words_before.rstrip())
            self.translate(self._count_x, FOOTER_Y)
            self.doForm("page-count")
            self.restoreState()
        super().showPage()

    def save(self) -> None:
        pages = self.getPageNumber() - 1  # showPage has already moved on to a page never drawn
        self.beginForm("page-count")
        self.setFont(*FOOTER_FONT)
        self.setFillColor(MUTED)
        self.drawString(self.stringWidth(" ", *FOOTER_FONT), 0, f"{pages}{self._after_count}")
        self.endForm()
        super().save()


def write(document: doc.Document, path: Path, *, author: str | None = None) -> Path:
    """Write `document` to `path`, replacing any previous file only once the new one is whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    os.close(handle)
    try:
        template = _Template(
            partial_name,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=document.title,  # metadata and outline are Unicode: no font to fit
            subject=document.subtitle,
            author=author,
            creator="feedback",
            lang=document.language,
        )
        frame = Frame(MARGIN, MARGIN, WIDTH, PAGE[1] - 2 * MARGIN, id="body")
        template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_open_outline)])
        canvas = partial(
            _FooterCanvas,
            footer=pdf_text(f"{document.title} – {document.subtitle}"),
            page_words=words(document.language)["page"],
        )
        template.build(_story(document), canvasmaker=canvas)
        os.replace(partial_name, path)
    except BaseException:
        Path(partial_name).unlink(missing_ok=True)
        raise
    return path


def _open_outline(canvas: Canvas, template: BaseDocTemplate) -> None:
    """Viewers open with the outline shown and the document title (not the file name) in the bar."""
    if template.page == 1:
        canvas.showOutline()
        canvas.setViewerPreference("DisplayDocTitle", "true")


def _story(document: doc.Document) -> list[Flowable]:
    said = words(document.language)
    story: list[Flowable] = [
        Spacer(1, 2 * inch),
        Para(_markup(document.title), COVER_TITLE),
        Spacer(1, 0.2 * inch),
        Para(_markup(document.subtitle), COVER_LINE),
        Para(_markup(said["generated"].format(date=document.generated)), COVER_LINE),
        PageBreak(),
    ]
    captions = {table.id: table.caption for table in document.tables()}
    for section in document.sections:
        _add_section(story, section, 0, captions, document.language)
    return story


def _add_section(
    story: list[Flowable],
    section: doc.Section,
    level: int,
    captions: Mapping[str, str],
    language: str,
) -> None:
    if section.new_page and not isinstance(story[-1], PageBreak):
        story.append(PageBreak())
    story.append(_Heading(section, level))
    for block in section.blocks:
        if isinstance(block, doc.Section):
            _add_section(story, block, level + 1, captions, language)
        else:
            story.extend(_block(block, captions, language))


def _block(block: doc.Block, captions: Mapping[str, str], language: str) -> Iterable[Flowable]:
    if isinstance(block, doc.Paragraph):
        return [Para(_markup(block.text), BODY)]
    if isinstance(block, doc.Bullets):
        return [Para(_markup(item), BULLET, bulletText="•") for item in block.items]
    if isinstance(block, doc.Quotes):
        return [Para(_markup(item), QUOTE) for item in block.items]
    if isinstance(block, doc.Table):
        return _table(block)
    if isinstance(block, doc.Chart | doc.Scatter):
        return [_figure(block, captions, language)]
    raise TypeError(f"not a report block: {block!r}")


#: Type sizes a table may be set in, largest first: a wide table is set smaller rather than
#: have its words or numbers broken across lines.
TABLE_SIZES = (8.0, 7.0, 6.5, 6.0)


def _longest_word(text: str, size: float, bold: bool = False) -> float:
    return max((charts.text_width(word, size, bold) for word in text.split()), default=0.0)


def _layout(table: doc.Table, numeric: list[bool]) -> tuple[float, list[float]] | None:
    """The type size and column widths of a table.

    Each column gets at least its longest unbreakable piece: a header's longest word, a text
    cell's longest word, a number's whole text (an interval never wraps). What is left of the
    page width goes to the columns whose full texts are wider, in proportion to what they lack.
    The first size whose minimums fit the page is used; None when even the smallest does not
    (the table is then split by columns, see :func:`_parts`).
    """
    pad = 2 * CELL_PADDING
    for size in TABLE_SIZES:
        minimum, natural = [], []
        for j, label in enumerate(table.columns):
            texts = [pdf_text(_cell_text(row[j])) for row in table.rows]
            pieces = [
                _longest_word(pdf_text(label), size, bold=True),
                *(
                    charts.text_width(t, size) if numeric[j] else _longest_word(t, size)
                    for t in texts
                ),
            ]
            widest = max(
                [
                    charts.text_width(pdf_text(label), size, bold=True),
                    *(charts.text_width(t, size) for t in texts),
                ]
            )
            minimum.append(max(pieces) + pad)
            natural.append(min(max(widest + pad, minimum[-1]), WIDTH * 0.5))
        if sum(minimum) <= WIDTH:
            break
    else:
        return None
    room, wanted = WIDTH - sum(minimum), [n - m for n, m in zip(natural, minimum, strict=True)]
    share = min(1.0, room / sum(wanted)) if sum(wanted) else 0.0
    widths = [m + w * share for m, w in zip(minimum, wanted, strict=True)]
    if sum(widths) < WIDTH:  # everything at its natural width: spread the rest evenly
        widths = [w * WIDTH / sum(widths) for w in widths]
    return size, widths


def _cell_text(cell: doc.Cell) -> str:
    return f"{cell.text} {cell.marker}" if cell.marker else cell.text


#: Left and right padding of a table cell (reportlab's default).
CELL_PADDING = 6


def _sized(style: ParagraphStyle, size: float) -> ParagraphStyle:
    if size == style.fontSize:
        return style
    return ParagraphStyle(f"{style.name}{size}", style, fontSize=size, leading=size * 1.25)


def _body_cell(
    cell: doc.Cell, numeric: bool, width: float, style: ParagraphStyle
) -> Flowable | str:
    """A number that fits its column is drawn as a plain string (in the table's font, right
    aligned by the table style): a Paragraph per cell was most of a report's layout time."""
    text = pdf_text(_cell_text(cell))
    if numeric and charts.text_width(text, style.fontSize) <= width - 2 * CELL_PADDING:
        return text
    return Para(escape(text), style)


def _columns(table: doc.Table, keep: Sequence[int], caption: str) -> doc.Table:
    return doc.Table(
        id=table.id,
        caption=caption,
        columns=tuple(table.columns[j] for j in keep),
        rows=tuple(tuple(row[j] for j in keep) for row in table.rows),
    )


def _fits(table: doc.Table, keep: Sequence[int]) -> bool:
    part = _columns(table, keep, table.caption)
    return _layout(part, numeric_columns(part)) is not None


def _parts(table: doc.Table) -> list[doc.Table]:
    """A table too wide for the page, cut into as few tables of consecutive columns as fit,
    of even widths, each repeating the row headers (the first column) and captioned "(1/2)"."""
    rest = list(range(1, len(table.columns)))
    for count in range(2, len(rest) + 1):
        size, extra = divmod(len(rest), count)
        bounds = [i * size + min(i, extra) for i in range(count + 1)]
        groups = [rest[bounds[i] : bounds[i + 1]] for i in range(count)]
        if all(_fits(table, [0, *group]) for group in groups):
            break
    return [
        _columns(table, [0, *group], f"{table.caption} ({number}/{len(groups)})")
        for number, group in enumerate(groups, start=1)
    ]


def _table(table: doc.Table, *, anchor: bool = True) -> list[Flowable]:
    numeric = numeric_columns(table)
    layout = _layout(table, numeric)
    if layout is None and len(table.columns) > 2:
        parts = _parts(table)
        flowables = [
            flowable
            for number, part in enumerate(parts)
            for flowable in _table(part, anchor=number == 0)
        ]
        notes = [Para(_markup(note), NOTE) for note in table.notes]
        return [*flowables[:-1], *notes, flowables[-1]]
    size, widths = layout or (TABLE_SIZES[-1], [WIDTH / len(table.columns)] * len(table.columns))
    header = [
        Para(_markup(label), _sized(HEAD_NUMBER if numeric[j] else HEAD, size))
        for j, label in enumerate(table.columns)
    ]
    cell, cell_number = _sized(CELL, size), _sized(CELL_NUMBER, size)
    body = [
        [
            _body_cell(value, numeric[j], widths[j], cell_number if numeric[j] else cell)
            for j, value in enumerate(row)
        ]
        for row in table.rows
    ]
    grid = RLTable([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("FONT", (0, 1), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
                *(
                    ("ALIGN", (j, 1), (j, -1), "RIGHT")
                    for j, is_number in enumerate(numeric)
                    if is_number
                ),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE]),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    target = f'<a name="t-{escape(table.id)}"/>' if anchor else ""
    caption = Para(f"{target}{_markup(table.caption)}", CAPTION)
    notes = [Para(_markup(note), NOTE) for note in table.notes]
    return [caption, grid, Spacer(1, 4), *notes, Spacer(1, 8)]


def _figure(block: doc.Chart | doc.Scatter, captions: Mapping[str, str], language: str) -> Flowable:
    figure = charts.layout(block, WIDTH, language)
    drawing = rl.Drawing(figure.width, figure.height)
    for shape in figure.shapes:
        drawing.add(_shape(shape))
    caption = _markup(block.description)
    if block.table_id in captions:
        link = words(language)["see_table"].format(caption=captions[block.table_id])
        caption += f' <a href="#t-{escape(block.table_id)}">{_markup(link)}</a>'
    return KeepTogether(
        [
            Para(_markup(block.title), CAPTION),
            drawing,
            Spacer(1, 4),
            Para(caption, NOTE),
            Spacer(1, 8),
        ]
    )


def _shape(shape: charts.Shape) -> rl.Shape:
    if isinstance(shape, charts.Rect):
        return rl.Rect(
            shape.x,
            shape.y,
            shape.width,
            shape.height,
            fillColor=colors.HexColor(shape.fill),
            strokeColor=colors.HexColor(shape.stroke) if shape.stroke else None,
        )
    if isinstance(shape, charts.Line):
        stroke = {
            "strokeColor": colors.HexColor(shape.stroke),
            "strokeWidth": shape.width,
            "strokeDashArray": list(shape.dash) if shape.dash else None,
        }
        points = [coordinate for point in shape.points for coordinate in point]
        return (
            rl.PolyLine(points, **stroke) if len(shape.points) > 2 else rl.Line(*points, **stroke)
        )
    if isinstance(shape, charts.Circle):
        return rl.Circle(
            shape.cx,
            shape.cy,
            shape.r,
            fillColor=colors.HexColor(shape.fill),
            strokeColor=colors.HexColor(shape.stroke),
            strokeWidth=1.2,
        )
    return rl.String(
        shape.x,
        shape.y,
        pdf_text(shape.text),
        fontName=charts.FONT_BOLD if shape.bold else charts.FONT,
        fontSize=shape.size,
        fillColor=colors.HexColor(charts.TEXT),
        textAnchor=shape.anchor,
    )
