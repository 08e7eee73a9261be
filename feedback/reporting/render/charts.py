"""Chart layout shared by the PDF and HTML renderers: a Chart or Scatter becomes plain shapes.

The layout is computed once, in points with the origin at the bottom left (the PDF convention);
pdf.py turns the shapes into reportlab.graphics shapes and html.py into SVG elements, so both
outputs draw the same chart. Text is measured with the metrics of Helvetica, the font of both.
Only the words of the layout (legends, quadrant names) come from render.WORDS; every figure is
the document's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from reportlab.pdfbase.pdfmetrics import stringWidth

from feedback.reporting.document import Chart, Scatter
from feedback.reporting.render import words

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"
SIZE = 7.5
TEXT = "#0b0c0c"
AXIS = "#505a5f"
GRID = "#d5d8da"
WHITE = "#ffffff"
# Series colours, each at least 4.5:1 against white; line series also differ by their dash.
PALETTE = ("#1a4d8f", "#b35900", "#00703c", "#4c2c92", "#505a5f", "#a3161b")
DASHES: tuple[tuple[float, ...] | None, ...] = (None, (5, 2), (1.5, 2), (6, 2, 1.5, 2))
HEIGHT = 220.0


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]  # two points: a segment; more: a polyline
    stroke: str
    width: float = 1.0
    dash: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str
    stroke: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    anchor: Literal["start", "middle", "end"] = "start"
    bold: bool = False
    size: float = SIZE


Shape: TypeAlias = Rect | Line | Circle | Text


@dataclass(frozen=True)
class Figure:
    width: float
    height: float
    shapes: tuple[Shape, ...]


def layout(block: Chart | Scatter, width: float, language: str) -> Figure:
    """The shapes of a chart `width` points wide."""
    if isinstance(block, Scatter):
        return _scatter(block, width, language)
    return _chart(block, width, language)


def text_width(text: str, size: float = SIZE, bold: bool = False) -> float:
    return stringWidth(text, FONT_BOLD if bold else FONT, size)


def wrap(text: str, width: float, size: float = SIZE) -> list[str]:
    """Words of `text` in lines no wider than `width` (a longer single word keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def number(value: float, language: str, unit: str = "") -> str:
    """An axis label: no needless decimals, a decimal comma and a spaced unit in French."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    text = "0" if text == "-0" else text
    if language == "fr":
        text = text.replace(".", ",")
        return f"{text}\xa0{unit}" if unit else text
    return f"{text}{unit}" if unit in ("%", "") else f"{text} {unit}"


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values from `low` to `high` about `count` steps apart."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step - 1e-9) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def nice_ceiling(value: float) -> float:
    """The smallest round axis maximum at or above `value`."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return next(
        m * magnitude for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if m * magnitude >= value
    )


@dataclass(frozen=True)
class _Box:
    """The plot area and its value scale."""

    left: float
    bottom: float
    width: float
    height: float
    low: float
    high: float

    def y(self, value: float) -> float:
        if self.high <= self.low:
            return self.bottom
        value = min(max(value, self.low), self.high)
        return self.bottom + (value - self.low) / (self.high - self.low) * self.height

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def top(self) -> float:
        return self.bottom + self.height


def _value_axis(box: _Box, unit: str, language: str) -> list[Shape]:
    shapes: list[Shape] = []
    for value in ticks(box.low, box.high):
        y = box.y(value)
        shapes.append(Line(((box.left, y), (box.right, y)), GRID, 0.5))
        shapes.append(Text(box.left - 4, y - SIZE / 3, number(value, language, unit), "end"))
    shapes.append(Line(((box.left, box.bottom), (box.right, box.bottom)), AXIS, 0.8))
    shapes.append(Line(((box.left, box.bottom), (box.left, box.top)), AXIS, 0.8))
    return shapes


def _legend(
    entries: Sequence[tuple[Shape, str]], left: float, top: float, width: float
) -> tuple[list[Shape], float]:
    """Legend entries (a 10-point swatch drawn at the origin, a label) in rows from `top` down.

    Returns the shapes and the height used.
    """
    shapes: list[Shape] = []
    x, row = left, 0
    for swatch, label in entries:
        needed = 14 + text_width(label) + 12
        if x > left and x + needed > left + width:
            x, row = left, row + 1
        y = top - (row + 1) * 12
        shapes.append(_moved(swatch, x, y))
        shapes.append(Text(x + 14, y + 1, label))
        x += needed
    return shapes, (row + 1) * 12 + 4 if entries else 0


def _moved(shape: Shape, dx: float, dy: float) -> Shape:
    if isinstance(shape, Rect):
        return Rect(shape.x + dx, shape.y + dy, shape.width, shape.height, shape.fill, shape.stroke)
    if isinstance(shape, Circle):
        return Circle(shape.cx + dx, shape.cy + dy, shape.r, shape.fill, shape.stroke)
    if isinstance(shape, Line):
        points = tuple((x + dx, y + dy) for x, y in shape.points)
        return Line(points, shape.stroke, shape.width, shape.dash)
    return Text(shape.x + dx, shape.y + dy, shape.text, shape.anchor, shape.bold, shape.size)


def _category_labels(
    categories: Sequence[str], left: float, slot: float, top: float
) -> tuple[list[Shape], float]:
    """Category names centred under their slots, wrapped; every k-th one when they cannot fit."""
    longest_word = max((text_width(w) for c in categories for w in c.split()), default=0)
    every = max(1, math.ceil(longest_word / max(slot - 2, 1)))
    shapes: list[Shape] = []
    most = 1
    for i, category in enumerate(categories):
        if i % every:
            continue
        lines = wrap(category, slot * every - 2)
        most = max(most, len(lines))
        for n, text in enumerate(lines):
            shapes.append(Text(left + (i + 0.5) * slot, top - (n + 1) * (SIZE + 2), text, "middle"))
    return shapes, most * (SIZE + 2) + 4


def _error_bar(
    x: float, low: float, high: float, box: _Box, cap: float, colour: str
) -> list[Shape]:
    y1, y2 = box.y(low), box.y(high)
    return [
        Line(((x, y1), (x, y2)), colour, 0.9),
        Line(((x - cap, y1), (x + cap, y1)), colour, 0.9),
        Line(((x - cap, y2), (x + cap, y2)), colour, 0.9),
    ]


def _at(values: tuple[float | None, ...] | None, i: int) -> float | None:
    return values[i] if values is not None and i < len(values) else None


def _chart(chart: Chart, width: float, language: str) -> Figure:
    said = words(language)
    count = max(len(chart.categories), 1)
    has_intervals = any(s.low is not None and s.high is not None for s in chart.series)
    entries: list[tuple[Shape, str]] = []
    for index, series in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        if chart.style == "bar":
            entries.append((Rect(0, 0, 10, 8, colour), series.name))
        else:
            dash = DASHES[index % len(DASHES)]
            entries.append((Line(((0, 4), (10, 4)), colour, 1.6, dash), series.name))
    if has_intervals and chart.style == "bar":
        entries.append((Line(((5, 0), (5, 9)), TEXT, 0.9), said["interval"]))
    left = (
        max(text_width(number(v, language, chart.unit)) for v in ticks(chart.y_min, chart.y_max))
        + 8
    )
    legend, legend_height = _legend(entries, left, HEIGHT, width - left)
    slot = (width - left - 6) / count
    labels, label_height = _category_labels(chart.categories, left, slot, HEIGHT)
    box = _Box(
        left,
        label_height,
        width - left - 6,
        HEIGHT - legend_height - label_height - 4,
        chart.y_min,
        chart.y_max,
    )
    labels = [_moved(shape, 0, label_height - HEIGHT) for shape in labels]
    shapes: list[Shape] = [*legend, *_value_axis(box, chart.unit, language), *labels]
    if chart.style == "bar":
        shapes += _bars(chart, box, slot)
    else:
        shapes += _lines(chart, box, slot)
    return Figure(width, HEIGHT, tuple(shapes))


def _bars(chart: Chart, box: _Box, slot: float) -> list[Shape]:
    shapes: list[Shape] = []
    bar = min(slot * 0.75 / max(len(chart.series), 1), 48)
    group = bar * len(chart.series)
    base = box.y(min(max(0, box.low), box.high))
    for s, series in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        for i in range(len(chart.categories)):
            x = box.left + i * slot + (slot - group) / 2 + s * bar
            value = _at(series.values, i)
            if value is not None:
                top = box.y(value)
                shapes.append(Rect(x + 0.5, min(base, top), bar - 1, abs(top - base), colour))
            low, high = _at(series.low, i), _at(series.high, i)
            if value is not None and low is not None and high is not None:
                shapes += _error_bar(x + bar / 2, low, high, box, min(bar / 4, 4), TEXT)
    return shapes


def _lines(chart: Chart, box: _Box, slot: float) -> list[Shape]:
    shapes: list[Shape] = []
    for s, series in enumerate(chart.series):
        colour, dash = PALETTE[s % len(PALETTE)], DASHES[s % len(DASHES)]
        run: list[tuple[float, float]] = []
        points: list[tuple[float, float]] = []
        for i in range(len(chart.categories)):
            value = _at(series.values, i)
            if value is None:  # a gap: the line stops and starts again after it
                if len(run) > 1:
                    shapes.append(Line(tuple(run), colour, 1.6, dash))
                run = []
                continue
            x = box.left + (i + 0.5) * slot
            low, high = _at(series.low, i), _at(series.high, i)
            if low is not None and high is not None:
                shapes += _error_bar(x, low, high, box, 2.5, colour)
            run.append((x, box.y(value)))
            points.append((x, box.y(value)))
        if len(run) > 1:
            shapes.append(Line(tuple(run), colour, 1.6, dash))
        shapes += [Circle(x, y, 2.4, colour, colour) for x, y in points]
    return shapes


def _scatter(scatter: Scatter, width: float, language: str) -> Figure:
    said = words(language)
    height = min(HEIGHT * 1.3, width * 0.7)
    entries: list[tuple[Shape, str]] = []
    if any(point.flagged for point in scatter.points):
        entries.append((Circle(5, 4, 3.5, WHITE, PALETTE[0]), said["flagged"]))
    x_high = nice_ceiling(max((p.x for p in scatter.points), default=1) * 1.1)
    y_high = nice_ceiling(max((p.y for p in scatter.points), default=1))
    left = max(text_width(number(v, language)) for v in ticks(0, y_high)) + 8
    legend, legend_height = _legend(entries, left, height, width - left)
    top = height - legend_height - SIZE - 10  # room for the y axis title above the plot
    box = _Box(left, 2 * SIZE + 12, width - left - 6, top - 2 * SIZE - 12, 0, y_high)

    def x_of(value: float) -> float:
        return box.left + min(max(value, 0), x_high) / x_high * box.width

    shapes: list[Shape] = [*legend, *_value_axis(box, "", language)]
    shapes.append(Text(box.left - left + 2, top + 8, scatter.y_label, bold=True))
    for value in ticks(0, x_high):
        x = x_of(value)
        shapes.append(Line(((x, box.bottom), (x, box.bottom - 3)), AXIS, 0.8))
        shapes.append(Text(x, box.bottom - SIZE - 4, number(value, language), "middle"))
    shapes.append(Text(box.left + box.width / 2, 2, scatter.x_label, "middle", bold=True))
    if scatter.points:
        mean_x = sum(p.x for p in scatter.points) / len(scatter.points)
        mean_y = sum(p.y for p in scatter.points) / len(scatter.points)
        shapes.append(
            Line(((x_of(mean_x), box.bottom), (x_of(mean_x), box.top)), AXIS, 0.8, (3, 2))
        )
        shapes.append(
            Line(((box.left, box.y(mean_y)), (box.right, box.y(mean_y))), AXIS, 0.8, (3, 2))
        )
        shapes.append(Text(box.right - 3, box.bottom + 4, said["priority"], "end", bold=True))
        shapes.append(Text(box.right - 3, box.top - SIZE - 2, said["strength"], "end", bold=True))
    for point in scatter.points:
        x, y = x_of(point.x), box.y(point.y)
        shapes.append(Circle(x, y, 3.5, WHITE if point.flagged else PALETTE[0], PALETTE[0]))
        if x + 6 + text_width(point.label) > box.right:
            shapes.append(Text(x - 6, y - SIZE / 3, point.label, "end"))
        else:
            shapes.append(Text(x + 6, y - SIZE / 3, point.label))
    return Figure(width, height, tuple(shapes))
