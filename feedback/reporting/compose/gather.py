"""Facts → estimates → disclosure control: every figure the report may publish, by cell.

A cell is a disclosure.CellRef: (table, key), where the table names a breakdown ("overall",
"program", "channel", "program×channel", "previous:program", ...) and the key holds its values.
The facts are read by program × channel × each dimension (in one statement), and every margin
(program, channel, overall) is summed here from those rows, so that the published tables add up
exactly and the relations handed to disclosure control hold.

Disclosure control runs once for the respondent counts and once per figure base (satisfaction,
NPS and effort answers); a cell suppressed for any of them loses every figure.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import select

from feedback.extensions import db
from feedback.programs.models import Program
from feedback.questionnaires import kinds
from feedback.questionnaires.models import Question
from feedback.reporting import disclosure
from feedback.reporting.disclosure import CellRef, Relation
from feedback.reporting.estimates.drivers import Driver, drivers
from feedback.reporting.estimates.figures import Figures, figures
from feedback.reporting.estimates.weighting import Weights, post_stratify
from feedback.reporting.facts import read
from feedback.reporting.facts.read import InvitationCount, Scope, ValueCount

OVERALL = "overall"
#: The topic of a version's overall satisfaction question (feedback.questionnaires.topics).
OVERALL_TOPIC = "overall"
PROGRAM = "program"
PREVIOUS = "previous"
LAST_YEAR = "last_year"
#: The fixed breakdowns of every report, after the program; client groups and the trend follow.
BREAKDOWNS = ("channel", "contact_type", "language")
#: Ranges shorter than this are charted by week, longer ones by month (as the dashboard did).
WEEKLY_TREND_UNDER_DAYS = 92
#: Every dimension is read with these first: the program and the weighting cells' channel.
_BASE = ("program", "channel")

#: The progress reached when the figures are gathered and protected (the words follow).
GATHERED = 60
#: The bases disclosure control protects, one call each: respondents, then each figure's answers.
MEASURES: Mapping[str, Callable[[Figures], int]] = {
    "responses": lambda f: f.responses,
    "satisfaction": lambda f: f.satisfaction.n,
    "nps": lambda f: f.nps.n,
    "effort": lambda f: f.effort_mean.n,
}


def cross(dimension: str) -> str:
    """The table of program × `dimension`."""
    return f"{PROGRAM}×{dimension}"


@dataclass(frozen=True)
class Periods:
    current: tuple[date, date]
    previous: tuple[date, date]
    last_year: tuple[date, date]
    trend: str  # "week" or "month"
    trend_starts: tuple[date, ...]

    @property
    def trend_dimension(self) -> str:
        return f"period:{self.trend}"


@dataclass(frozen=True)
class Gathered:
    """What the report publishes, before any word is written."""

    periods: Periods
    minimum: int
    programs: tuple[Program, ...]  # with data in the period, by code
    #: breakdown dimension -> its values, ordered ("channel", "contact_type", "language",
    #: "group:<attribute>" ..., then the trend's "period:<unit>").
    dimensions: Mapping[str, tuple[str | None, ...]]
    figures: Mapping[CellRef, Figures]
    relations: tuple[Relation, ...]
    suppressed: frozenset[CellRef]
    weighted: Mapping[CellRef, Figures] = field(default_factory=dict)
    weights: Weights | None = None
    #: program id (None: every program) -> (drivers by importance, R²)
    drivers: Mapping[str | None, tuple[list[Driver], float | None]] = field(default_factory=dict)

    def get(self, table: str, key: tuple) -> Figures | None:
        return self.figures.get((table, key))

    def is_suppressed(self, table: str, key: tuple) -> bool:
        return (table, key) in self.suppressed

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(d for d in self.dimensions if d.startswith("group:"))


# --- periods ------------------------------------------------------------------------------------
def _whole_months(day_from: date, day_to: date) -> int | None:
    """How many calendar months the range covers exactly, else None."""
    last = calendar.monthrange(day_to.year, day_to.month)[1]
    if day_from.day != 1 or day_to.day != last:
        return None
    return (day_to.year - day_from.year) * 12 + day_to.month - day_from.month + 1


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def periods_of(day_from: date, day_to: date) -> Periods:
    """The report period, the previous one (the same number of calendar months when the period
    is whole months, else the same number of days) and the same period a year earlier."""
    months = _whole_months(day_from, day_to)
    if months:
        start = _months_before(day_from, months)
        previous = (start, day_from - timedelta(days=1))
    else:
        length = day_to - day_from
        previous = (day_from - timedelta(days=1) - length, day_from - timedelta(days=1))
    trend = "week" if (day_to - day_from).days < WEEKLY_TREND_UNDER_DAYS else "month"
    if trend == "week":
        first = day_from - timedelta(days=day_from.weekday())
        starts = tuple(first + timedelta(weeks=n) for n in range((day_to - first).days // 7 + 1))
    else:
        months_in = (day_to.year - day_from.year) * 12 + day_to.month - day_from.month + 1
        starts = tuple(_months_before(day_from.replace(day=1), -n) for n in range(months_in))
    return Periods(
        current=(day_from, day_to),
        previous=previous,
        last_year=(_year_before(day_from), _year_before(day_to)),
        trend=trend,
        trend_starts=starts,
    )


# --- facts rows, re-keyed -----------------------------------------------------------------------
def _project_invitations(
    rows: Iterable[InvitationCount], positions: Sequence[int]
) -> list[InvitationCount]:
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        total = sums[tuple(row.key[i] for i in positions)]
        total[0] += row.sent
        total[1] += row.reached
        total[2] += row.completed
    return [InvitationCount(key, *counts) for key, counts in sums.items()]


def _project_values(rows: Iterable[ValueCount], positions: Sequence[int]) -> list[ValueCount]:
    sums: dict[tuple, int] = defaultdict(int)
    for row in rows:
        key = tuple(row.key[i] for i in positions)
        sums[(key, row.question_id, row.topic, row.kind, row.value)] += row.count
    return [ValueCount(k[0], k[1], k[2], k[3], k[4], count) for k, count in sums.items()]


@dataclass(frozen=True)
class _Rows:
    """Facts rows keyed by program, channel, then one more dimension (when there is one)."""

    invitations: list[InvitationCount]
    values: list[ValueCount]

    def figures(
        self, positions: Sequence[int], weights: Weights | None, satisfaction: frozenset[str]
    ) -> dict[tuple, Figures]:
        """Figures keyed by the key's `positions`; weighted rows also end with their weighting
        cell, (channel, program) as in estimates.weighting.DEFAULT_CELLS. `satisfaction`: the
        questions whose answers feed the satisfaction figures (see satisfaction_questions)."""
        keep = [*positions, 1, 0] if weights else list(positions)
        return figures(
            _project_invitations(self.invitations, keep),
            _project_values(self.values, keep),
            weights,
            satisfaction_questions=satisfaction,
        )


def satisfaction_questions() -> frozenset[str]:
    """Per questionnaire version, its overall satisfaction question (topic "overall"), else its
    satisfaction-kind questions: chosen by version, not by cell, every figure stays additive."""
    rows = db.session.execute(
        select(Question.id, Question.version_id, Question.topic).where(
            Question.kind.in_([kind.name for kind in kinds.feeding("satisfaction")])
        )
    ).all()
    by_version: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for question_id, version_id, topic in rows:
        by_version[version_id].append((question_id, topic))
    chosen: set[str] = set()
    for questions in by_version.values():
        overall = {q for q, topic in questions if topic == OVERALL_TOPIC}
        chosen |= overall or {q for q, _ in questions}
    return frozenset(chosen)


def _scale_kinds() -> list[str]:
    return [
        kind.name
        for figure in ("satisfaction", "nps", "effort")
        for kind in kinds.feeding(figure)
        if kind.scale is not None
    ]


def _read(scope: Scope, dimensions: Sequence[str | None]) -> list[_Rows]:
    """The facts by program × channel × each of `dimensions` (None: by program × channel
    only), each kind of fact read in one go (one scan of its table on PostgreSQL)."""
    sets = [[*_BASE, *([dimension] if dimension else [])] for dimension in dimensions]
    invitations = read.invitation_counts_by(scope, sets)
    values = read.value_counts_by(scope, sets, kinds=_scale_kinds())
    return [_Rows(i, v) for i, v in zip(invitations, values, strict=True)]


def _sort_key(value: str | None) -> tuple[int, str]:
    return (1, "") if value is None else (0, str(value))


# --- relations and suppression ------------------------------------------------------------------
def _partition(
    figures: Mapping[CellRef, Figures], total: CellRef, parts: Iterable[CellRef]
) -> Relation | None:
    present = tuple(part for part in parts if part in figures)
    if total not in figures or not present:
        return None
    return Relation(total=total, parts=present)


def _suppress(
    figures: Mapping[CellRef, Figures], relations: Sequence[Relation], minimum: int
) -> frozenset[CellRef]:
    suppressed: set[CellRef] = set()
    for measure in MEASURES.values():
        counts = {ref: measure(figure) for ref, figure in figures.items()}
        suppressed |= disclosure.protect(counts, relations, minimum)
    return frozenset(suppressed)


# --- the stage ----------------------------------------------------------------------------------
class _Collector:
    """Figures and relations of the report's cells, as they are read."""

    def __init__(self, weights: Weights | None, satisfaction: frozenset[str]) -> None:
        self.weights = weights
        self.satisfaction = satisfaction
        self.figures: dict[CellRef, Figures] = {}
        self.weighted: dict[CellRef, Figures] = {}
        self.relations: list[Relation] = []

    def add(self, table: str, rows: _Rows, positions: Sequence[int]) -> dict[tuple, Figures]:
        found = rows.figures(positions, None, self.satisfaction)
        self.figures.update({(table, key): figure for key, figure in found.items()})
        if self.weights:
            weighted = rows.figures(positions, self.weights, self.satisfaction)
            self.weighted.update({(table, key): figure for key, figure in weighted.items()})
        return found

    def relate(self, total: CellRef, parts: Iterable[CellRef]) -> None:
        relation = _partition(self.figures, total, parts)
        if relation:
            self.relations.append(relation)


def _breakdown(
    collector: _Collector, dimension: str, rows: _Rows, programs: Sequence[str]
) -> tuple[str | None, ...]:
    """program × dimension and dimension tables; program = Σ values, value = Σ programs."""
    cells = collector.add(cross(dimension), rows, (0, 2))
    collector.add(dimension, rows, (2,))
    values = tuple(sorted({key[1] for key in cells}, key=_sort_key))
    for program in programs:
        collector.relate((PROGRAM, (program,)), [(cross(dimension), (program, v)) for v in values])
    for value in values:
        collector.relate((dimension, (value,)), [(cross(dimension), (p, value)) for p in programs])
    collector.relate((OVERALL, ()), [(dimension, (v,)) for v in values])
    return values


def _compared(collector: _Collector, table: str, scope: Scope) -> None:
    """Figures of an earlier period by program and overall (unweighted: changes are tested
    on the unweighted figures)."""
    (rows,) = _read(scope, [None])
    found = rows.figures((0,), None, collector.satisfaction)
    collector.figures.update({(f"{table}:{PROGRAM}", key): figure for key, figure in found.items()})
    overall = rows.figures((), None, collector.satisfaction)
    collector.figures.update({(f"{table}:{OVERALL}", key): f for key, f in overall.items()})
    collector.relate((f"{table}:{OVERALL}", ()), [(f"{table}:{PROGRAM}", (p,)) for (p,) in found])


def _drivers(
    scope: Scope, values: Sequence[ValueCount], programs: Sequence[str]
) -> dict[str | None, tuple[list[Driver], float | None]]:
    pairs = read.pair_counts(scope, [PROGRAM])
    result: dict[str | None, tuple[list[Driver], float | None]] = {None: drivers(pairs, values)}
    for program in programs:
        result[program] = drivers(
            [p for p in pairs if p.key[0] == program], [v for v in values if v.key[0] == program]
        )
    return result


def gather(
    scope: Scope,
    minimum: int,
    *,
    weighted: bool = False,
    full: bool = True,
    progress: Callable[[int], None] = lambda _: None,
) -> Gathered:
    """Read the facts of `scope`, estimate every cell's figures, and run disclosure control.

    `full` adds what only the full report shows: the drivers of satisfaction. The earlier
    periods are read for both parts, so the dashboard and the report suppress the same cells.
    """
    periods = periods_of(scope.date_from, scope.date_to)
    groups = sorted(read.reportable_groups(scope))
    dimensions = [*BREAKDOWNS, *(f"group:{name}" for name in groups), periods.trend_dimension]
    rows = dict(zip(dimensions, _read(scope, dimensions), strict=True))
    progress(20)

    base = rows[dimensions[0]]
    weights = post_stratify(_project_invitations(base.invitations, (1, 0))) if weighted else None
    collector = _Collector(weights, satisfaction_questions())
    programs_found = collector.add(PROGRAM, base, (0,))
    collector.add(OVERALL, base, ())
    program_ids = sorted(key[0] for key in programs_found)
    collector.relate((OVERALL, ()), [(PROGRAM, (p,)) for p in program_ids])
    values = {
        dimension: _breakdown(collector, dimension, rows[dimension], program_ids)
        for dimension in dimensions
    }
    values[periods.trend_dimension] = tuple(day.isoformat() for day in periods.trend_starts)
    for table, (day_from, day_to) in ((PREVIOUS, periods.previous), (LAST_YEAR, periods.last_year)):
        _compared(collector, table, replace(scope, date_from=day_from, date_to=day_to))
    progress(40)

    found_drivers = _drivers(scope, _project_values(base.values, (0,)), program_ids) if full else {}
    progress(50)
    suppressed = _suppress(collector.figures, collector.relations, minimum)
    progress(GATHERED)
    by_id = {
        p.id: p for p in db.session.scalars(select(Program).where(Program.id.in_(program_ids)))
    }
    return Gathered(
        periods=periods,
        minimum=minimum,
        programs=tuple(sorted(by_id.values(), key=lambda p: p.code)),
        dimensions=values,
        figures=collector.figures,
        relations=tuple(collector.relations),
        suppressed=suppressed,
        weighted=collector.weighted,
        weights=weights,
        drivers=found_drivers,
    )
