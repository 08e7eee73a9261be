"""The chart layout shared by the PDF and the HTML: axes, bars with intervals, gaps, quadrants."""

from __future__ import annotations

from feedback.reporting.document import Chart, Point, Scatter, Series
from feedback.reporting.render import charts


def test_ticks_and_axis_labels_are_round_and_localised():
    assert charts.ticks(0, 100) == [0, 20, 40, 60, 80, 100]
    assert charts.ticks(50, 100) == [50, 60, 70, 80, 90, 100]
    assert charts.ticks(0, 0.5) == [0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5]
    assert charts.nice_ceiling(92) == 100 and charts.nice_ceiling(46.2) == 50
    assert charts.number(0.3, "en") == "0.3" and charts.number(0.3, "fr") == "0,3"
    assert charts.number(80, "en", "%") == "80%" and charts.number(80, "fr", "%") == "80\xa0%"


def test_wrap_keeps_words_whole():
    assert charts.wrap("Reaching someone by phone", 60) == ["Reaching", "someone by", "phone"]
    assert charts.wrap("Supercalifragilistic", 10) == ["Supercalifragilistic"]


def _bar(values, low=None, high=None) -> charts.Figure:
    chart = Chart(
        "c", "bar", "T", ("A", "B", "C"), (Series("S", values, low, high),), "%", "d", y_max=100
    )
    return charts.layout(chart, 400, "en")


def test_bars_rise_to_their_value_with_interval_whiskers_and_skip_gaps():
    figure = _bar((80, None, 40), (75, None, 30), (85, None, 50))
    bars = [s for s in figure.shapes if isinstance(s, charts.Rect) and s.width > 10]
    assert len(bars) == 2  # the legend swatch is 10 wide; B has no bar
    first, third = bars
    assert first.height == 2 * third.height  # 80 against 40, from the same baseline
    assert first.y == third.y
    centres = {b.x - 0.5 + (b.width + 1) / 2 for b in bars}
    whiskers = [
        s
        for s in figure.shapes
        if isinstance(s, charts.Line) and s.points[0][0] == s.points[1][0] in centres
    ]
    spans = sorted(abs(w.points[1][1] - w.points[0][1]) for w in whiskers)
    # 75–85 and 30–50: 10 and 20 points of a 100-point axis, the second twice the first.
    assert len(spans) == 2 and abs(spans[1] - 2 * spans[0]) < 1e-6
    assert all(shape.text != "None" for shape in figure.shapes if isinstance(shape, charts.Text))


def test_values_outside_the_axis_are_clamped():
    figure = _bar((120, -5, 50))
    bars = [s for s in figure.shapes if isinstance(s, charts.Rect) and s.width > 10]
    assert max(b.y + b.height for b in bars) <= figure.height


def test_scatter_marks_flagged_points_hollow_and_names_the_quadrants():
    scatter = Scatter(
        "s",
        "T",
        "Importance",
        "Performance",
        (Point("Processing time", 42, 58), Point("Phone", 12, 63, flagged=True)),
        "d",
    )
    figure = charts.layout(scatter, 500, "fr")
    texts = [s.text for s in figure.shapes if isinstance(s, charts.Text)]
    quadrants = {"Priorité d’amélioration", "Force à maintenir"}
    assert {"Processing time", "Phone", *quadrants} <= set(texts)
    assert "Marqueur creux : petite base, à interpréter avec prudence" in texts
    circles = [s for s in figure.shapes if isinstance(s, charts.Circle)]
    hollow = [c for c in circles if c.fill == charts.WHITE]
    assert len(circles) == 3 and len(hollow) == 2  # the legend's and the flagged point's
    # Higher importance is further right, higher performance further up.
    legend = max(hollow, key=lambda c: c.cy)
    processing = next(c for c in circles if c.fill != charts.WHITE)
    phone = next(c for c in hollow if c is not legend)
    assert processing.cx > phone.cx and processing.cy < phone.cy


def test_crowded_category_labels_are_thinned_not_overlapped():
    months = tuple(f"September {year}" for year in range(2000, 2040))
    chart = Chart("c", "line", "T", months, (Series("S", (50,) * 40),), "%", "d")
    figure = charts.layout(chart, 300, "en")
    # "September 2000" wraps to two lines in its slot; the year is the second.
    labels = [s for s in figure.shapes if isinstance(s, charts.Text) and s.text.isdigit()]
    assert 1 < len(labels) < len(months)
    xs = sorted(label.x for label in labels)
    widest = charts.text_width("September")
    assert all(b - a >= widest for a, b in zip(xs, xs[1:], strict=False))
