"""The composed report against an independent recomputation from the raw rows.

One data set (tests/reporting/compose/dataset.py) is generated, its facts refreshed and its
comments coded once for the module; the documents are built from it and inspected.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest
from flask import Flask
from scipy import stats
from scipy.optimize import linprog
from statsmodels.stats.proportion import proportions_ztest

from feedback.extensions import db as _db
from feedback.reporting.actions.models import ActionStatus, ThemeAction
from feedback.reporting.compose import ReportOptions, build, build_all
from feedback.reporting.compose.prose import PROSE
from feedback.reporting.document import Chart, Document, Scatter, Section, Table
from feedback.reporting.facts.build import refresh
from feedback.reporting.themes.store import recode_all
from tests.reporting.compose import dataset
from tests.reporting.compose.raw import Raw, raw

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@dataclass(frozen=True)
class Built:
    en: Document
    fr: Document
    dashboard: Document
    weighted: Document
    progress: list[int]
    raw: dict[str, Raw]  # program code -> this quarter's raw figures ("all": every program)
    previous: dict[str, Raw]
    last_year: dict[str, Raw]
    passport_email: Raw
    weighted_passport: float  # satisfaction post-stratified on channel, from the raw rows


def _weighted_satisfaction(program_id: str) -> float:
    """Σ_c w_c · satisfied_c / Σ_c w_c · n_c with w_c = reached_c / responses_c per channel."""
    top = bottom = 0.0
    for channel in ("email", "sms", "voice", "walk_in"):
        cell = raw(dataset.QUARTER, {program_id}, channel)
        if cell.responses:
            weight = cell.reached / cell.responses
            top += weight * cell.satisfied
            bottom += weight * sum(cell.overall.values())
    return top / bottom


@pytest.fixture(scope="module")
def built(app: Flask) -> Iterator[Built]:
    with app.app_context():
        programs = dataset.generate()
        refresh(date(2025, 1, 1), date(2026, 12, 31))
        recode_all()
        _db.session.add(
            ThemeAction(
                program_id=programs["passport"].id,
                theme="processing_time",
                text_en="Added staff to clear the backlog",
                text_fr="Ajout de personnel pour résorber l'arriéré",
                status=ActionStatus.IN_PROGRESS,
                action_date=date(2026, 8, 15),
            )
        )
        _db.session.commit()
        progress: list[int] = []
        options = ReportOptions(*dataset.QUARTER)
        ids = {code: {program.id} for code, program in programs.items()}

        def by_program(period: tuple[date, date]) -> dict[str, Raw]:
            return {code: raw(period, ids[code]) for code in ids} | {"all": raw(period)}

        documents = build_all(options, progress=progress.append)
        yield Built(
            en=documents["en"],
            fr=documents["fr"],
            dashboard=build(options, "fr", part="dashboard"),
            weighted=build(ReportOptions(*dataset.QUARTER, weighted=True), "en"),
            progress=progress,
            raw=by_program(dataset.QUARTER),
            previous=by_program(dataset.PREVIOUS),
            last_year=by_program(dataset.LAST_YEAR),
            passport_email=raw(dataset.QUARTER, ids["passport"], "email"),
            weighted_passport=_weighted_satisfaction(programs["passport"].id),
        )
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())


# --- walking a document -------------------------------------------------------------------------
def blocks(document: Document) -> Iterator[object]:
    def walk(section: Section) -> Iterator[object]:
        yield section
        for block in section.blocks:
            if isinstance(block, Section):
                yield from walk(block)
            else:
                yield block

    for section in document.sections:
        yield from walk(section)


def table(document: Document, table_id: str) -> Table:
    return next(t for t in document.tables() if t.id == table_id)


def row(found: Table, *labels: str) -> dict[str, object]:
    """The row whose leading cells read `labels`, as {column: cell} (a column's first cell when
    several share a heading, such as "n")."""
    for cells in found.rows:
        if tuple(cell.text for cell in cells[: len(labels)]) == labels:
            return {column: cells[found.columns.index(column)] for column in found.columns}
    raise AssertionError(f"no row {labels} in {found.id}: {[r[0].text for r in found.rows]}")


def say(key: str, language: str = "en") -> str:
    return PROSE[key][language]


# --- figures ------------------------------------------------------------------------------------
def test_program_figures_equal_a_recomputation_from_the_raw_rows(built):
    for code, name in (("passport", "Passport services"), ("citizenship", "Citizenship")):
        expected = built.raw[code]
        cells = row(table(built.en, "by_program"), name)
        assert cells[say("col_reached")].number == expected.reached
        assert cells[say("col_responses")].number == expected.responses
        successes, n = expected.shares["satisfaction"]
        assert cells[say("col_satisfaction")].number == pytest.approx(100 * successes / n)
        assert cells[say("col_rate")].number == pytest.approx(
            100 * expected.responses / expected.reached
        )
        promoters, detractors, answers = expected.nps
        assert cells[say("col_nps")].number == pytest.approx(
            100 * (promoters - detractors) / answers
        )
        assert cells[say("col_effort")].number == pytest.approx(expected.mean_effort())
        assert cells[say("col_n")].number == n


def test_overall_and_cross_cells_equal_the_raw_rows(built):
    everyone = built.raw["all"]
    cells = row(table(built.en, "by_program"), say("all"))
    assert cells[say("col_responses")].number == everyone.responses
    assert cells[say("col_satisfaction")].number == pytest.approx(
        100 * everyone.satisfied / sum(everyone.overall.values())
    )
    email = built.passport_email
    cells = row(table(built.en, "appx_channel"), "Passport services", "Email")
    assert cells[say("col_responses")].number == email.responses
    assert cells[say("col_satisfaction")].number == pytest.approx(
        100 * email.satisfied / sum(email.overall.values())
    )
    assert cells[say("col_sd")].number == pytest.approx(email.effort_sd())


def test_intervals_are_wilson_intervals(built):
    successes, n = built.raw["passport"].shares["satisfaction"]
    z = stats.norm.ppf(0.975)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    text = row(table(built.en, "by_program"), "Passport services")[say("col_interval")].text
    assert text == f"{round(100 * (centre - half))}–{round(100 * (centre + half))}%"


def test_weighted_figures_are_post_stratified_by_channel(built):
    cells = row(table(built.weighted, "by_program"), "Passport services")
    assert cells[say("col_weighted")].number == pytest.approx(100 * built.weighted_passport)
    assert cells[say("col_n_effective")].number < built.raw["passport"].responses
    titles = {block.title for block in blocks(built.weighted) if isinstance(block, Section)}
    assert say("method_weighting_title") in titles
    assert say("method_weighting_title") not in {
        block.title for block in blocks(built.en) if isinstance(block, Section)
    }


# --- disclosure ---------------------------------------------------------------------------------
def test_small_programs_are_suppressed_with_a_complement(built):
    for name in ("Small program", "Visitor visas"):
        cells = row(table(built.en, "by_program"), name)
        assert all(cell.suppressed and cell.number is None for cell in list(cells.values())[1:])
    assert built.raw[dataset.PRIMARY].responses < 10 <= built.raw[dataset.COMPLEMENT].responses
    assert not any(c.suppressed for c in row(table(built.en, "by_program"), "Citizenship").values())


@pytest.mark.parametrize("language", ["en", "fr", "dashboard", "weighted"])
def test_suppressed_cells_carry_no_number_anywhere(built, language):
    document = getattr(built, language)
    suppressed_labels: dict[str, set[str]] = {}
    for found in document.tables():
        for cells in found.rows:
            for cell in cells:
                if cell.suppressed:
                    assert cell.number is None and cell.text == "x"
                if cell.text == "x":
                    assert cell.suppressed
            if any(cell.suppressed for cell in cells):
                suppressed_labels.setdefault(found.id, set()).add(cells[0].text)
    charts = [b for b in blocks(document) if isinstance(b, Chart | Scatter)]
    assert charts
    for chart in charts:
        assert chart.description and chart.table_id in {t.id for t in document.tables()}
        if isinstance(chart, Chart):
            hidden = suppressed_labels.get(chart.table_id, set())
            for i, category in enumerate(chart.categories):
                if category in hidden:
                    for series in chart.series:
                        assert series.values[i] is None
                        assert series.low is None or series.low[i] is None
                        assert series.high is None or series.high[i] is None


def _published_relations(document: Document, column: str) -> tuple[list[dict], dict]:
    """Sum relations between the `column` counts of the published tables (by labels), and the
    published values: what a reader could write down from the document alone."""
    relations: list[dict] = []  # {"total": name, "parts": [names]}
    values: dict[tuple, float | None] = {}

    def cell_value(found: Table, cells: tuple) -> float | None:
        cell = cells[found.columns.index(column)]
        return None if cell.suppressed else cell.number or 0

    programs = table(document, "by_program")
    names = [cells[0].text for cells in programs.rows[:-1]]
    for cells in programs.rows:
        values[("program", cells[0].text)] = cell_value(programs, cells)
    relations.append({"total": ("program", say("all")), "parts": [("program", n) for n in names]})
    for name in ("channel", "contact_type", "language", "group1"):
        margin = table(document, f"by_{name}")
        cross = table(document, f"appx_{name}")
        margin_values = [cells[0].text for cells in margin.rows[:-1]]
        for cells in margin.rows[:-1]:
            values[(name, cells[0].text)] = cell_value(margin, cells)
        relations.append(
            {
                "total": ("program", say("all")),
                "parts": [(name, v) for v in margin_values],
            }
        )
        for cells in cross.rows:
            if cells[1].text != say("total"):
                values[(name, cells[0].text, cells[1].text)] = cell_value(cross, cells)
            else:  # the same published count as in the table by program
                assert cell_value(cross, cells) == values[("program", cells[0].text)]
        for program in names:
            relations.append(
                {
                    "total": ("program", program),
                    "parts": [
                        (name, program, v) for v in margin_values if (name, program, v) in values
                    ],
                }
            )
        for value in margin_values:
            relations.append(
                {
                    "total": (name, value),
                    "parts": [(name, p, value) for p in names if (name, p, value) in values],
                }
            )
    overall_trend = table(document, "trend")
    if column in overall_trend.columns:  # satisfaction answers by week, of all and of each program
        weeks = [cells[0].text for cells in overall_trend.rows]
        for cells in overall_trend.rows:
            values[("week", cells[0].text)] = cell_value(overall_trend, cells)
        relations.append({"total": ("program", say("all")), "parts": [("week", w) for w in weeks]})
        for section in document.sections:
            if section.title in names:
                trend = next(t for t in Section.tables(section) if t.id.endswith("_trend"))
                for cells in trend.rows:
                    values[("week", section.title, cells[0].text)] = cell_value(trend, cells)
                relations.append(
                    {
                        "total": ("program", section.title),
                        "parts": [("week", section.title, w) for w in weeks],
                    }
                )
        for week in weeks:
            relations.append({"total": ("week", week), "parts": [("week", p, week) for p in names]})
    return relations, values


def _derivable(relations: list[dict], values: dict) -> dict[tuple, tuple[float, float]]:
    """Each hidden cell's feasible range given the published values (counts >= 0)."""
    hidden = sorted(key for key, value in values.items() if value is None)
    index = {key: i for i, key in enumerate(hidden)}
    rows, rhs = [], []
    for relation in relations:
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for key, sign in [(relation["total"], 1.0)] + [(p, -1.0) for p in relation["parts"]]:
            if key in index:
                coefficients[index[key]] += sign
            else:
                constant -= sign * values[key]
        if coefficients.any():
            rows.append(coefficients)
            rhs.append(constant)
    ranges = {}
    for key, i in index.items():
        objective = np.zeros(len(hidden))
        objective[i] = 1
        low = linprog(objective, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None)).fun
        high = -linprog(-objective, A_eq=np.array(rows), b_eq=rhs, bounds=(0, None)).fun
        ranges[key] = (low, high)
    return ranges


@pytest.mark.parametrize("measure", ["col_responses", "col_n"])
def test_suppressed_counts_cannot_be_derived_from_the_published_tables(built, measure):
    relations, values = _published_relations(built.en, say(measure))
    hidden = [key for key, value in values.items() if value is None]
    assert ("program", "Small program") in hidden
    for key, (low, high) in _derivable(relations, values).items():
        assert high - low >= 1, f"{key} lies in [{low}, {high}]"


# --- languages ----------------------------------------------------------------------------------
def _shape(document: Document) -> list[tuple]:
    shape = []
    for block in blocks(document):
        if isinstance(block, Section):
            shape.append(("section", block.id, block.new_page))
        elif isinstance(block, Table):
            numbers = tuple(tuple(cell.number for cell in cells) for cells in block.rows)
            shape.append(("table", block.id, len(block.columns), numbers))
        elif isinstance(block, Chart):
            shape.append(("chart", block.id, block.table_id, block.series[0].values))
        else:
            shape.append((type(block).__name__,))
    return shape


def test_both_languages_have_the_same_structure_and_numbers(built):
    assert _shape(built.en) == _shape(built.fr)
    assert built.en.title == "Client-perspective report"
    assert built.fr.title == "Rapport sur la perspective des clients"
    assert built.en.subtitle == "July 1, 2026 to September 30, 2026"
    assert built.fr.subtitle == "Du 1 juillet 2026 au 30 septembre 2026"


def test_the_french_document_is_in_french(built):
    english = {
        values["en"]
        for key, values in PROSE.items()
        if values["en"] != values["fr"] and "{" not in values["en"]
    }
    texts = []
    for block in blocks(built.fr):
        if isinstance(block, Section):
            texts.append(block.title)
        elif isinstance(block, Table):
            texts += [block.caption, *block.columns]
            texts += [cell.text for cells in block.rows for cell in cells]
        elif isinstance(block, Chart | Scatter):
            texts.append(block.title)
    assert not english & set(texts)
    assert say("methodology", "fr") in texts and say("you_said", "fr") in texts
    numbers = row(table(built.fr, "by_program"), "Services de passeport")
    assert numbers[say("col_satisfaction", "fr")].text.endswith("\xa0%")


def test_comments_are_scrubbed_and_actions_listed_in_each_language(built):
    for document, text in (
        (built.en, "Added staff to clear the backlog"),
        (built.fr, "Ajout de personnel pour résorber l'arriéré"),
    ):
        quotes = [
            item for b in blocks(document) if type(b).__name__ == "Quotes" for item in b.items
        ]
        assert quotes
        assert not any("613-555" in q or "@example.org" in q or "1234-5678" in q for q in quotes)
        actions = table(document, "passport_actions")
        assert text in {cells[1].text for cells in actions.rows}


# --- significance -------------------------------------------------------------------------------
def _p_values(current: Raw, previous: Raw) -> dict[str, float]:
    """Unadjusted two-sided p-values of the key figures' changes, from the raw answers."""
    found = {}
    for field, (successes, n) in current.shares.items():
        other = previous.shares[field]
        found[field] = proportions_ztest([successes, other[0]], [n, other[1]])[1]
    scores = []
    for source in (current, previous):
        promoters, detractors, n = source.nps
        p, d = promoters / n, detractors / n
        scores.append((100 * (p - d), 100 * 100 * (p + d - (p - d) ** 2) / n))
    z = (scores[0][0] - scores[1][0]) / math.sqrt(scores[0][1] + scores[1][1])
    found["nps"] = 2 * stats.norm.sf(abs(z))
    found["effort_mean"] = stats.ttest_ind(
        current.effort_values(), previous.effort_values(), equal_var=False
    ).pvalue
    return found


def _holm(p_values: list[float]) -> list[float]:
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [0.0] * len(p_values)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def test_change_markers_only_where_the_holm_adjusted_p_is_below_005(built):
    fields = {
        say("figure_rate"): "response_rate",
        say("figure_satisfaction"): "satisfaction",
        say("figure_nps"): "nps",
        say("figure_effort"): "effort_mean",
        say("figure_low_effort"): "low_effort",
    }
    for code in ("passport", "citizenship"):
        comparisons = {"previous": built.previous[code], "last_year": built.last_year[code]}
        tested = {
            (field, name): p
            for name, earlier in comparisons.items()
            if earlier.responses
            for field, p in _p_values(built.raw[code], earlier).items()
        }
        adjusted = dict(zip(tested, _holm(list(tested.values())), strict=True))
        found = table(built.en, f"{code}_figures")
        columns = {"previous": say("col_change_previous"), "last_year": say("col_change_last_year")}
        for cells in found.rows:
            field = fields.get(cells[0].text)
            if field is None:
                continue
            for name, column in columns.items():
                cell = cells[found.columns.index(column)]
                expected = adjusted.get((field, name))
                assert (cell.marker is not None) == (expected is not None and expected < 0.05), (
                    code,
                    field,
                    name,
                    expected,
                    cell,
                )
        assert f"{len(tested)} comparisons" in " ".join(found.notes)
    passport = row(table(built.en, "passport_figures"), say("figure_satisfaction"))
    assert passport[say("col_change_previous")].marker == "▲"
    citizenship = table(built.en, "citizenship_figures")
    assert not any(cell.marker for cells in citizenship.rows for cell in cells)


# --- parts and progress -------------------------------------------------------------------------
def test_the_dashboard_is_the_overview_through_the_same_suppression(built):
    assert [section.id for section in built.dashboard.sections] == ["overview"]
    assert [t.id for t in built.dashboard.tables()] == [t.id for t in built.fr.sections[2].tables()]
    for mine, full in zip(built.dashboard.tables(), built.fr.sections[2].tables(), strict=True):
        assert mine.rows == full.rows


def test_progress_rises_to_100(built):
    assert built.progress[0] == 0 and built.progress[-1] == 100
    assert built.progress == sorted(built.progress)


def test_every_table_id_is_unique_and_fits_a_sheet_name(built):
    ids = [t.id for t in built.en.tables()]
    assert len(ids) == len(set(ids))
    assert all(len(i) <= 31 for i in ids)


def test_a_reversed_period_is_refused(app):
    with app.app_context(), pytest.raises(ValueError, match="ends before it starts"):
        build(ReportOptions(date(2026, 9, 30), date(2026, 7, 1)), "en")


def test_both_pdfs_read_in_their_language(built, tmp_path):
    from feedback.reporting.render import pdf

    texts = {}
    for document in (built.en, built.fr):
        path = pdf.write(document, tmp_path / f"report-{document.language}.pdf")
        texts[document.language] = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.replace("\xa0", " ")
    for key in ("summary", "methodology", "overview", "you_said", "appendix"):
        assert say(key) in texts["en"]
        assert say(key, "fr").replace("\xa0", " ") in texts["fr"]
        assert say(key) not in texts["fr"]
    assert "Services de passeport" in texts["fr"] and "Passport services" in texts["en"]


def test_a_period_without_data_still_gives_every_section(built):
    document = build(ReportOptions(date(2020, 1, 1), date(2020, 3, 31)), "fr")
    assert [s.id for s in document.sections] == ["summary", "methodology", "overview", "appendix"]
    programs = table(document, "by_program")
    assert [cells[0].text for cells in programs.rows] == [say("all", "fr")]
    assert all(cell.number is None for cells in programs.rows for cell in cells)
    assert say("summary_overall_suppressed", "fr") in [
        b.text for b in blocks(document) if type(b).__name__ == "Paragraph"
    ]


def test_dashboard_filters_narrow_every_figure(built):
    options = ReportOptions(*dataset.QUARTER, channels=frozenset({"email"}))
    document = build(options, "en", part="dashboard")
    channels = table(document, "by_channel")
    assert [cells[0].text for cells in channels.rows] == ["Email", say("all")]
    everyone = row(table(document, "by_program"), say("all"))
    assert everyone[say("col_responses")].number == channels.rows[0][3].number
