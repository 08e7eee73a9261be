"""The HTML renderer: the page's structure, the CSP-safe fragment, and axe-core in Chromium."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from feedback.reporting.document import Cell, Document, Paragraph, Section, Table
from feedback.reporting.render import charts, html
from tests.reporting.render.sample import TEXTS, sample
from tests.surveys.test_browser import _assert_accessible, browser  # noqa: F401 (a fixture)

VOID = {"meta", "link", "br", "img", "input", "hr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        own = "".join(self.texts)
        return " ".join((own + "".join(" " + c.text for c in self.children)).split())

    def all(self, tag: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if tag is None or child.tag == tag:
                found.append(child)
            found.extend(child.all(tag))
        return found


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#root", {})
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.current.children.append(Node(tag, {k: v or "" for k, v in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.texts.append(data)


def parse(text: str) -> Node:
    tree = _Tree()
    tree.feed(text)
    tree.close()
    assert tree.current is tree.root, "an element is left open"
    return tree.root


def by_id(root: Node) -> dict[str, Node]:
    ids: dict[str, Node] = {}
    for node in root.all():
        if "id" in node.attrs:
            assert node.attrs["id"] not in ids, f"duplicate id {node.attrs['id']}"
            ids[node.attrs["id"]] = node
    return ids


def headings(root: Node) -> list[tuple[int, str]]:
    return [(int(n.tag[1]), n.text) for n in root.all() if n.tag in {f"h{i}" for i in range(1, 7)}]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_standalone_page_structure(language):
    t = TEXTS[language]
    root = parse(html.render(sample(language)))
    page = root.all("html")[0]
    assert page.attrs["lang"] == language
    assert t["title"] in root.all("title")[0].text
    assert "<style>" in html.render(sample(language))
    levels = headings(root)
    assert [text for level, text in levels if level == 1] == [t["title"]]
    assert all(b - a <= 1 for (a, _), (b, _) in zip(levels, levels[1:], strict=False))
    assert (2, t["methodology"]) in levels and (3, t["disclosure"]) in levels
    assert (3, t["drivers"]) in levels
    ids = by_id(root)
    # The table of contents links every section, nested as they are.
    toc = root.all("nav")[0]
    targets = [a.attrs["href"] for a in toc.all("a")]
    assert all(href[1:] in ids for href in targets)
    assert "#s-passport-drivers" in [
        a.attrs["href"] for a in toc.all("ol")[0].all("ol")[1].all("a")
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_tables_have_captions_header_scopes_and_notes(language):
    t = TEXTS[language]
    root = parse(html.render(sample(language)))
    ids = by_id(root)
    tables = root.all("table")
    assert len(tables) == 3
    for table in tables:
        assert table.all("caption")[0].text
        assert all(th.attrs["scope"] == "col" for th in table.all("thead")[0].all("th"))
        for row in table.all("tbody")[0].all("tr"):
            assert row.children[0].tag == "th" and row.children[0].attrs["scope"] == "row"
            assert all(cell.tag == "td" for cell in row.children[1:])
    channels = ids["t-by_channel"]
    assert channels.all("caption")[0].text == t["by_channel"]
    rows = [[c.text for c in row.children] for row in channels.all("tbody")[0].all("tr")]
    assert rows[1] == [t["sms"], "x", "x", "x"]
    assert rows[0][2].endswith("▲")
    notes = ids[channels.attrs["aria-describedby"]]
    assert [li.text for li in notes.all("li")] == [t["note_x"], t["note_up"]]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_charts_are_svg_images_with_text_equivalents_and_a_table_link(language):
    t = TEXTS[language]
    root = parse(html.render(sample(language)))
    ids = by_id(root)
    figures = root.all("figure")
    assert len(figures) == 3
    for figure in figures:
        svg = figure.all("svg")[0]
        assert svg.attrs["role"] == "img"
        title_id, desc_id = svg.attrs["aria-labelledby"].split()
        assert ids[title_id].tag == "title" and ids[desc_id].tag == "desc"
        caption = figure.all("figcaption")[0]
        assert ids[desc_id].text in caption.text
        link = caption.all("a")[0].attrs["href"]
        assert ids[link[1:]].tag == "table"
    trend = ids["c-passport_trend_chart"]
    assert t["trend_text"] in trend.all("figcaption")[0].text
    # The trend has a gap: "this year" is drawn as two lines, before and after June.
    series = [p for p in trend.all("polyline") if p.attrs["stroke"] in charts.PALETTE[:2]]
    xs = [[float(xy.split(",")[0]) for xy in p.attrs["points"].split()] for p in series]
    runs = [len(x) for x in xs if max(x) - min(x) > 20]  # not the legend's swatches nor the bars
    assert runs == [2, 3, 6]  # this year: April-May and July-September; last year: whole
    quotes = [q.text for q in root.all("blockquote")]
    assert quotes == list(t["quotes"])


def test_everything_is_escaped():
    hostile = "<script>alert('x')</script> & “quotes”"
    table = Table("t<1>", hostile, (hostile, "n"), ((Cell(hostile), Cell(hostile, 1)),), (hostile,))
    document = Document(
        "en", hostile, hostile, hostile, (Section('a"b', hostile, (Paragraph(hostile), table)),)
    )
    page = html.render(document)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; “quotes”" in page
    root = parse(page)
    assert 's-a"b' in by_id(root)


def test_fragment_has_no_inline_styles_and_headings_under_the_page_h1():
    fragment = html.render(sample("fr"), standalone=False)
    assert fragment.startswith('<div class="report" lang="fr">')
    assert "<style" not in fragment and " style=" not in fragment
    assert "<html" not in fragment and "<h1" not in fragment
    levels = headings(parse(fragment))
    assert levels[0] == (2, TEXTS["fr"]["title"])


def test_standalone_page_inlines_the_report_rules_of_the_app_stylesheet():
    css = html.report_css()
    assert ".report-chart" in css and "report:end" not in css
    assert css in html.render(sample("en"))


def _open(driver, path: Path) -> None:
    driver.get(path.as_uri())


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "fr"])
def test_standalone_page_is_accessible(browser, tmp_path, language):  # noqa: F811
    page = tmp_path / f"report-{language}.html"
    page.write_text(html.render(sample(language)), encoding="utf-8")
    _open(browser, page)
    assert browser.execute_script("return document.documentElement.lang") == language
    _assert_accessible(browser)


@pytest.mark.browser
def test_fragment_in_a_page_with_the_app_stylesheet_is_accessible(browser, tmp_path):  # noqa: F811
    page = tmp_path / "dashboard.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Dashboard</title>'
        f'<link rel="stylesheet" href="{html.STYLESHEET.as_uri()}"></head>'
        f"<body><main><h1>Dashboard</h1>{html.render(sample('fr'), standalone=False)}"
        "</main></body></html>",
        encoding="utf-8",
    )
    _open(browser, page)
    _assert_accessible(browser)
