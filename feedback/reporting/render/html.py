"""The report document as accessible HTML: a standalone page, or a fragment for the dashboard.

The standalone page has the document's language, a title, one h1, a table of contents, headings
nested by section depth, tables with a caption and th scope, charts as inline SVG (role="img",
a title and a description, a visible caption and a link to the table with the same figures), and
its styles in a <style> element. The fragment (`standalone=False`) is the same body inside
<div class="report" lang="..">, with no style attribute and no <style> (the app's CSP has no
'unsafe-inline' styles): feedback/static/feedback.css styles it, and the standalone page inlines
the same rules, read from that file between the "report:start" and "report:end" markers. The
fragment's headings start at h2, under the h1 of the page that embeds it.

Ids are prefixed by kind (s- section, t- table, c- chart) so that a section and a table may share
an id in the document, and so that they are unlikely to clash with the page around a fragment.
Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from markupsafe import escape

from feedback.reporting import document as doc
from feedback.reporting.render import charts, numeric_columns, words

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "feedback.css"
# What the standalone page needs beyond the report rules of the app's stylesheet.
PAGE_CSS = """
body { margin: 0 auto; max-width: 62rem; padding: 1rem; font-family: "Noto Sans", Arial,
  Helvetica, sans-serif; line-height: 1.5; color: #0b0c0c; background: #fff; }
a:focus, [tabindex]:focus { outline: 3px solid #ffdd00; outline-offset: 0; }
a:focus { background: #ffdd00; color: #0b0c0c; }
"""
CHART_WIDTH = 460.0  # drawn up to 48rem wide: the chart's 7.5 pt text shows at about 12 px


@cache
def report_css() -> str:
    """The report rules of the app's stylesheet (between its report:start and report:end lines)."""
    text = STYLESHEET.read_text(encoding="utf-8")
    start = text.index("/* report:start")
    end = text.index("/* report:end */")
    return text[text.index("*/", start) + 2 : end].strip()


def render(document: doc.Document, *, standalone: bool = True) -> str:
    """The document as a complete page, or as a body fragment when `standalone` is false."""
    body = _body(document, top=1 if standalone else 2)
    if not standalone:
        return body
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(document.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(document.title)} – {escape(document.subtitle)}</title>\n"
        f"<style>{PAGE_CSS}{report_css()}\n</style>\n</head>\n"
        f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def _heading(level: int, text: str, id_: str) -> str:
    level = min(level, 6)
    return f'<h{level} id="{escape(id_)}">{escape(text)}</h{level}>\n'


def _body(document: doc.Document, top: int) -> str:
    said = words(document.language)
    captions = {table.id: table.caption for table in document.tables()}
    parts = [
        f'<div class="report" lang="{escape(document.language)}">\n',
        '<div class="report-cover">\n',
        _heading(top, document.title, "report-title"),
        f'<p class="report-subtitle">{escape(document.subtitle)}</p>\n',
        '<p class="report-generated">'
        f"{escape(said['generated'].format(date=document.generated))}</p>\n</div>\n",
        '<nav class="report-toc" aria-labelledby="report-contents">\n',
        _heading(top + 1, said["contents"], "report-contents"),
        _contents(document.sections),
        "</nav>\n",
    ]
    for section in document.sections:
        parts.extend(_section(section, top + 1, captions, document.language))
    parts.append("</div>\n")
    return "".join(parts)


def _contents(sections: tuple[doc.Section, ...]) -> str:
    items = []
    for section in sections:
        children = tuple(b for b in section.blocks if isinstance(b, doc.Section))
        nested = _contents(children) if children else ""
        items.append(
            f'<li><a href="#s-{escape(section.id)}">{escape(section.title)}</a>{nested}</li>\n'
        )
    return f"<ol>\n{''.join(items)}</ol>\n"


def _section(
    section: doc.Section, level: int, captions: Mapping[str, str], language: str
) -> Iterator[str]:
    yield f'<section aria-labelledby="s-{escape(section.id)}">\n'
    yield _heading(level, section.title, f"s-{section.id}")
    for block in section.blocks:
        if isinstance(block, doc.Section):
            yield from _section(block, level + 1, captions, language)
        else:
            yield _block(block, captions, language)
    yield "</section>\n"


def _block(block: doc.Block, captions: Mapping[str, str], language: str) -> str:
    if isinstance(block, doc.Paragraph):
        return f"<p>{escape(block.text)}</p>\n"
    if isinstance(block, doc.Bullets):
        items = "".join(f"<li>{escape(item)}</li>\n" for item in block.items)
        return f"<ul>\n{items}</ul>\n"
    if isinstance(block, doc.Quotes):
        return "".join(
            f'<blockquote class="report-quote"><p>{escape(item)}</p></blockquote>\n'
            for item in block.items
        )
    if isinstance(block, doc.Table):
        return _table(block)
    if isinstance(block, doc.Chart | doc.Scatter):
        return _figure(block, captions, language)
    raise TypeError(f"not a report block: {block!r}")


def _cell(cell: doc.Cell, numeric: bool) -> str:
    attributes = ' class="report-num"' if numeric else ""
    marker = f' <span class="report-marker">{escape(cell.marker)}</span>' if cell.marker else ""
    return f"<td{attributes}>{escape(cell.text)}{marker}</td>"


def _table(table: doc.Table) -> str:
    id_ = f"t-{table.id}"
    numeric = numeric_columns(table)
    number_class = ' class="report-num"'
    head = "".join(
        f'<th scope="col"{number_class if numeric[j] else ""}>{escape(label)}</th>'
        for j, label in enumerate(table.columns)
    )
    rows = "".join(
        f'<tr><th scope="row">{escape(row[0].text)}</th>'
        + "".join(_cell(cell, numeric[j]) for j, cell in enumerate(row) if j)
        + "</tr>\n"
        for row in table.rows
    )
    described = f' aria-describedby="{escape(id_)}-notes"' if table.notes else ""
    notes = ""
    if table.notes:
        items = "".join(f"<li>{escape(note)}</li>" for note in table.notes)
        notes = f'<ul class="report-notes" id="{escape(id_)}-notes">{items}</ul>\n'
    return (
        f'<div class="report-table" role="region" aria-labelledby="{escape(id_)}-caption" '
        'tabindex="0">\n'
        f'<table id="{escape(id_)}"{described}>\n'
        f'<caption id="{escape(id_)}-caption">{escape(table.caption)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</div>\n{notes}"
    )


def _figure(block: doc.Chart | doc.Scatter, captions: Mapping[str, str], language: str) -> str:
    id_ = f"c-{block.id}"
    link = ""
    if block.table_id in captions:
        link = (
            f' <a href="#t-{escape(block.table_id)}">'
            f"{escape(words(language)['see_table_link'])}</a>"
        )
    return (
        f'<figure class="report-figure" id="{escape(id_)}">\n'
        f"{_svg(block, language, id_)}"
        f'<figcaption><span class="report-figure-title">{escape(block.title)}</span> '
        f"{escape(block.description)}{link}</figcaption>\n</figure>\n"
    )


def _svg(block: doc.Chart | doc.Scatter, language: str, id_: str) -> str:
    """The chart as an SVG image with its title and description for assistive technology."""
    figure = charts.layout(block, CHART_WIDTH, language)
    shapes = "".join(_svg_shape(shape, figure.height) for shape in figure.shapes)
    return (
        f'<svg class="report-chart" viewBox="0 0 {figure.width:.0f} {figure.height:.0f}" '
        f'role="img" aria-labelledby="{escape(id_)}-title {escape(id_)}-desc" '
        'xmlns="http://www.w3.org/2000/svg" font-family="Helvetica, Arial, sans-serif">\n'
        f'<title id="{escape(id_)}-title">{escape(block.title)}</title>\n'
        f'<desc id="{escape(id_)}-desc">{escape(block.description)}</desc>\n'
        f"{shapes}</svg>\n"
    )


def _svg_shape(shape: charts.Shape, height: float) -> str:
    """One shape in SVG coordinates (y grows downwards: flipped against the layout's)."""
    if isinstance(shape, charts.Rect):
        stroke = f' stroke="{shape.stroke}"' if shape.stroke else ""
        return (
            f'<rect x="{shape.x:.1f}" y="{height - shape.y - shape.height:.1f}" '
            f'width="{shape.width:.1f}" height="{shape.height:.1f}" fill="{shape.fill}"{stroke}/>\n'
        )
    if isinstance(shape, charts.Line):
        points = " ".join(f"{x:.1f},{height - y:.1f}" for x, y in shape.points)
        dash = f' stroke-dasharray="{" ".join(map(str, shape.dash))}"' if shape.dash else ""
        return (
            f'<polyline points="{points}" fill="none" stroke="{shape.stroke}" '
            f'stroke-width="{shape.width}"{dash}/>\n'
        )
    if isinstance(shape, charts.Circle):
        return (
            f'<circle cx="{shape.cx:.1f}" cy="{height - shape.cy:.1f}" r="{shape.r}" '
            f'fill="{shape.fill}" stroke="{shape.stroke}" stroke-width="1.2"/>\n'
        )
    weight = ' font-weight="bold"' if shape.bold else ""
    return (
        f'<text x="{shape.x:.1f}" y="{height - shape.y:.1f}" font-size="{shape.size}" '
        f'text-anchor="{shape.anchor}" fill="{charts.TEXT}"{weight}>{escape(shape.text)}</text>\n'
    )
