"""Reading the facts: sums of integer counts by dimension, within a scope.

Every figure of a report is computed from what these functions return. They SUM the fact rows
in SQL, grouped by the requested dimensions; a client group dimension ("group:<attribute>") or
a group filter is finished in Python, after parsing each distinct client group key once. Keys
whose counts are all zero are not returned.

A report needs the same facts by several sets of dimensions: invitation_counts_by and
value_counts_by read them for all the sets in one statement with GROUPING SETS on PostgreSQL (one
scan of the facts in the scope's days, through the index on the day when the scope is narrow),
and in one statement per set elsewhere (SQLite, the tests).

Daily answer facts hardly aggregate (about 0.65 rows per answer), so value_counts_by reads the
whole months of its scope from fact_answer_monthly and only the days at its edges from
fact_answer_daily, the two under one GROUP BY (UNION ALL): the same sums, from far fewer rows.
A set that needs days (weeks) reads fact_answer_channel_daily instead when it needs no contact
type, language or client group (a report's trend: by program, channel and week).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, Subquery, func, literal_column, or_, select, text, tuple_, union_all
from sqlalchemy.sql.elements import ColumnElement

from feedback.extensions import db
from feedback.questionnaires.kinds import KINDS
from feedback.questionnaires.models import Question
from feedback.reporting.facts import groups
from feedback.reporting.models import (
    FactAnswerChannelDaily,
    FactAnswerDaily,
    FactAnswerMonthly,
    FactAnswerPairDaily,
    FactInvitationDaily,
)
from feedback.reporting.sql import Period, period_start


@dataclass(frozen=True)
class Scope:
    date_from: date
    date_to: date  # inclusive UTC days
    programs: frozenset[str] | None = None  # program ids; None = every program
    channels: frozenset[str] | None = None
    languages: frozenset[str] | None = None
    contact_types: frozenset[str] | None = None
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)  # attribute -> values kept


#: "program" (program id), "channel", "contact_type", "language", "period:week",
#: "period:month", "period:quarter" (ISO date of the period's first day), or
#: "group:<attribute>" (a reportable attribute's value; None when the event did not give it).
Dimension = str
Key = tuple[str | None, ...]

_COLUMNS = ("program", "channel", "contact_type", "language")
_PERIODS = ("week", "month", "quarter")
_GROUP = "group:"
#: Memory for the hash tables of a GROUPING SETS read (one per set): with the default 4MB
#: PostgreSQL sorts on disk instead, 2 to 3 times slower (measured on the report benchmark).
WORK_MEM = "64MB"


@dataclass(frozen=True)
class InvitationCount:
    key: Key  # the values of `by`, in order
    sent: int  # invitations that left (sent_at not null)
    reached: int  # sent and not reported undelivered/failed (the denominator)
    completed: int  # of those, completed responses


@dataclass(frozen=True)
class ValueCount:
    key: Key
    question_id: str
    topic: str | None  # Question.topic ("overall", a driver, "effort", ...)
    kind: str  # Question.kind (the registry: feedback.questionnaires.kinds)
    value: int | str  # value_int, else value_choice
    count: int


@dataclass(frozen=True)
class PairCount:  # two scale answers given in the same response
    key: Key
    topic_a: str
    value_a: int
    topic_b: str  # topic_a < topic_b (string order)
    value_b: int
    count: int


def _column(fact: Any, dimension: Dimension) -> ColumnElement[Any]:
    """The SQL expression of a dimension other than a client group."""
    if dimension in _COLUMNS:
        name = "program_id" if dimension == "program" else dimension
        return cast(ColumnElement[Any], getattr(fact, name))
    family, _, period = dimension.partition(":")
    if family == "period" and period in _PERIODS:
        return period_start(fact.day, cast(Period, period))
    raise ValueError(f"unknown dimension: {dimension!r}")


def _check(by: Sequence[Dimension]) -> None:
    for dimension in by:
        if dimension.startswith(_GROUP):
            if not groups.ATTRIBUTE_NAME.fullmatch(dimension.removeprefix(_GROUP)):
                raise ValueError(f"unknown dimension: {dimension!r}")
        else:
            _column(FactInvitationDaily, dimension)


def _text(value: Any) -> str | None:
    """A key value as text: days (a date on PostgreSQL, text on SQLite) in ISO form."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat() if isinstance(value, date) else str(value)


def _in_groups(attributes: Mapping[str, str], wanted: Mapping[str, frozenset[str]]) -> bool:
    return all(attributes.get(name) in values for name, values in wanted.items())


def _in_scope(fact: Any, scope: Scope, day: Any = None) -> list[ColumnElement[bool]]:
    """The SQL conditions of a scope (its client groups are checked in Python)."""
    day = fact.day if day is None else day
    conditions = [day >= scope.date_from, day <= scope.date_to]
    for column, kept in (
        ("program_id", scope.programs),
        ("channel", scope.channels),
        ("language", scope.languages),
        ("contact_type", scope.contact_types),
    ):
        if kept is not None:
            conditions.append(getattr(fact, column).in_(sorted(kept)))
    return conditions


def whole_months(date_from: date, date_to: date) -> tuple[date, date] | None:
    """(first day of the first, first day of the last) whole month within date_from..date_to,
    or None when the range holds no whole month."""
    first = date_from if date_from.day == 1 else _next_month(date_from)
    last = date_to.replace(day=1)
    if (date_to + timedelta(days=1)).day != 1:  # date_to is not its month's last day
        last = date(last.year - (last.month == 1), (last.month - 2) % 12 + 1, 1)
    return (first, last) if first <= last else None


def _next_month(day: date) -> date:
    """The first day of the month after the day's."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class _Source:
    """The answer facts of a scope as one subquery (whole months from the monthly facts with
    their month as `day`, the other days from the daily facts), whose columns are read as
    attributes like a fact table's."""

    def __init__(self, selectable: Subquery) -> None:
        self.selectable = selectable

    def __getattr__(self, name: str) -> Any:
        return self.selectable.c[name]


_ANSWER_COLUMNS = (
    "program_id",
    "questionnaire_version_id",
    "question_id",
    "channel",
    "contact_type",
    "language",
    "client_group",
    "value_int",
    "value_choice",
    "count",
)


def _answer_source(scope: Scope) -> Any:
    """FactAnswerDaily, or when the scope holds whole months, the daily facts of its edge days
    and the monthly facts of its whole months, UNION ALL."""
    months = whole_months(scope.date_from, scope.date_to)
    if months is None:
        return FactAnswerDaily
    D, M = FactAnswerDaily, FactAnswerMonthly
    first, last = months
    day_rows = select(D.day, *(getattr(D, c) for c in _ANSWER_COLUMNS)).where(
        *_in_scope(D, scope), or_(D.day < first, D.day >= _next_month(last))
    )
    month_scope = Scope(
        first,
        last,
        programs=scope.programs,
        channels=scope.channels,
        languages=scope.languages,
        contact_types=scope.contact_types,
    )
    month_rows = select(M.month.label("day"), *(getattr(M, c) for c in _ANSWER_COLUMNS)).where(
        *_in_scope(M, month_scope, day=M.month)
    )
    return _Source(union_all(day_rows, month_rows).subquery("answer_facts"))


@lru_cache(maxsize=4096)
def _attributes(key: str) -> Mapping[str, str]:
    """A client group key, parsed once per process (there are few distinct keys)."""
    return groups.decode(key)


@dataclass(frozen=True)
class _Set:
    """One requested grouping: its dimensions and the SQL columns it groups by."""

    by: tuple[Dimension, ...]
    dims: tuple[Dimension, ...]  # the SQL dimensions of `by`, without repeats
    by_group: bool  # also grouped by the client group key (a group dimension or filter)


def _sets(sets: Sequence[Sequence[Dimension]], scope: Scope) -> list[_Set]:
    found = []
    for by in sets:
        _check(by)
        dims = tuple(dict.fromkeys(d for d in by if not d.startswith(_GROUP)))
        by_group = any(d.startswith(_GROUP) for d in by) or bool(scope.groups)
        found.append(_Set(tuple(by), dims, by_group))
    return found


def _statements(
    fact: Any,
    scope: Scope,
    sets: Sequence[_Set],
    extra: Sequence[ColumnElement[Any]],
    measures: Sequence[ColumnElement[int]],
    where: Sequence[ColumnElement[bool]],
) -> Iterator[tuple[list[_Set], list[str], Select[Any], bool]]:
    """(the sets a statement answers, its dimension names, the statement, whether the client
    group key is one of its GROUPING() columns): on PostgreSQL one
    statement with GROUPING SETS for all of them (one scan of the facts), elsewhere one per
    distinct grouping. A row's dimension names come first, then the client group key when
    grouped by it (else None), the extra columns, the sums and, with GROUPING SETS, the
    GROUPING() mask of the dimensions and the key that tells which set the row belongs to."""
    groupings: dict[tuple[tuple[Dimension, ...], bool], list[_Set]] = {}
    for item in sets:
        groupings.setdefault((item.dims, item.by_group), []).append(item)
    conditions = [*_in_scope(fact, scope), *where]
    sums = [func.sum(m) for m in measures]
    # Only the tables that have one are ever grouped by a client group key (not the pairs).
    group_key = fact.client_group if any(item.by_group for item in sets) else None
    if db.session.get_bind().dialect.name != "postgresql" or len(groupings) == 1:
        for (dims, by_group), members in groupings.items():
            keys = [_column(fact, d) for d in dims]
            group = group_key if by_group else literal_column("NULL")
            statement = select(*keys, group, *extra, *sums).where(*conditions)
            statement = statement.select_from(_selectable(fact))
            grouped = [*keys, *([group_key] if by_group else []), *extra]
            if grouped:
                statement = statement.group_by(*grouped)
            yield members, list(dims), statement, by_group
        return
    names = list(dict.fromkeys(d for dims, _ in groupings for d in dims))
    columns = [_column(fact, d) for d in names]
    # GROUPING() may only name grouped columns: the client group key when some set has it.
    any_group = any(by_group for _, by_group in groupings)
    marked = [*columns, *([group_key] if any_group else [])]
    group = group_key if any_group else literal_column("NULL")
    statement = (
        select(*columns, group, *extra, *sums, func.grouping(*marked))
        .select_from(_selectable(fact))
        .where(*conditions)
        .group_by(
            func.grouping_sets(
                *(
                    tuple_(
                        *(_column(fact, d) for d in dims),
                        *([group_key] if by_group else []),
                        *extra,
                    )
                    for dims, by_group in groupings
                )
            )
        )
    )
    members = [item for items in groupings.values() for item in items]
    db.session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    yield members, names, statement, any_group


def _selectable(fact: Any) -> Any:
    """What a statement reads: a fact table, or the subquery of a _Source."""
    return fact.selectable if isinstance(fact, _Source) else fact


def _mask(names: Sequence[str], item: _Set, marked_group: bool) -> int:
    """The GROUPING() value of a set's rows: a bit per dimension name (then the client group
    key when it is marked), leftmost first, set when that column is not grouped."""
    flags = [name not in item.dims for name in names]
    if marked_group:
        flags.append(not item.by_group)
    return sum(1 << (len(flags) - 1 - i) for i, flag in enumerate(flags) if flag)


def _grouped_sums(
    fact: Any,
    scope: Scope,
    sets: Sequence[Sequence[Dimension]],
    *,
    extra: Sequence[ColumnElement[Any]] = (),
    measures: Sequence[ColumnElement[int]],
    where: Sequence[ColumnElement[bool]] = (),
) -> list[dict[tuple[Key, tuple[Any, ...]], list[int]]]:
    """For each set of dimensions, {(key, extra values): [sum of each measure]} for the facts
    in scope grouped by it (read in as few statements as the database allows)."""
    wanted = _sets(sets, scope)
    found: dict[int, dict[tuple[Key, tuple[Any, ...]], list[int]]] = {
        id(item): {} for item in wanted
    }
    for members, names, statement, marked_group in _statements(
        fact, scope, wanted, extra, measures, where
    ):
        by_mask: dict[int, list[_Set]] = {}
        for item in members:
            by_mask.setdefault(_mask(names, item, marked_group), []).append(item)
        for row in db.session.execute(statement):
            values = list(row)
            dims = dict(zip(names, values[: len(names)], strict=True))
            group_key = values[len(names)]
            rest = values[len(names) + 1 :]
            extras = tuple(rest[: len(extra)])
            amounts = rest[len(extra) : len(extra) + len(measures)]
            mask = rest[-1] if len(rest) > len(extra) + len(measures) else None
            targets = members if mask is None else by_mask.get(mask, [])
            attributes = _attributes(group_key) if group_key is not None else {}
            if not _in_groups(attributes, scope.groups):
                continue
            for item in targets:
                key = tuple(
                    attributes.get(d.removeprefix(_GROUP))
                    if d.startswith(_GROUP)
                    else _text(dims[d])
                    for d in item.by
                )
                sums = found[id(item)].setdefault((key, extras), [0] * len(measures))
                for i, amount in enumerate(amounts):
                    sums[i] += int(amount or 0)
    return [{k: v for k, v in found[id(item)].items() if any(v)} for item in wanted]


def invitation_counts_by(
    scope: Scope, sets: Sequence[Sequence[Dimension]]
) -> list[list[InvitationCount]]:
    """invitation_counts(scope, by) for each `by` of `sets`, in one reading of the facts."""
    F = FactInvitationDaily
    return [
        [
            InvitationCount(key, sent, reached, completed)
            for (key, _), (sent, reached, completed) in sorted(sums.items(), key=_order)
        ]
        for sums in _grouped_sums(F, scope, sets, measures=[F.sent, F.reached, F.completed])
    ]


def invitation_counts(scope: Scope, by: Sequence[Dimension]) -> list[InvitationCount]:
    """Invitations sent, reached and completed (by the day they were sent)."""
    return invitation_counts_by(scope, [by])[0]


#: The dimensions the channel answer facts keep, besides their days.
_CHANNEL_DIMENSIONS = frozenset({"program", "channel"})


def _answer_facts_for(scope: Scope, by: Sequence[Dimension], monthly: bool) -> str:
    """Which answer facts a set reads: "months" (whole months from the monthly facts, the edge
    days from the daily ones) unless it needs days (weeks) or not `monthly`; then "channel"
    (the channel facts: far fewer rows) when neither the set nor the scope needs a contact
    type, language or client group, else "days"."""
    if monthly and "period:week" not in by:
        return "months"
    narrow = all(d in _CHANNEL_DIMENSIONS or d.startswith("period:") for d in by)
    if narrow and scope.languages is None and scope.contact_types is None and not scope.groups:
        return "channel"
    return "days"


def _answer_table(scope: Scope, facts: str) -> Any:
    """What a reading of `facts` (from :func:`_answer_facts_for`) selects from."""
    if facts == "months":
        return _answer_source(scope)
    return FactAnswerChannelDaily if facts == "channel" else FactAnswerDaily


def value_counts_by(
    scope: Scope,
    sets: Sequence[Sequence[Dimension]],
    *,
    kinds: Collection[str] | None = None,
    topics: Collection[str] | None = None,
    monthly: bool = True,
) -> list[list[ValueCount]]:
    """value_counts(scope, by, ...) for each `by` of `sets`, in one reading of each kind of
    answer facts the sets need (see :func:`_answer_facts_for`)."""
    readings: dict[str, list[int]] = {}
    for position, by in enumerate(sets):
        readings.setdefault(_answer_facts_for(scope, by, monthly), []).append(position)
    found: list[dict[tuple[Key, tuple[Any, ...]], list[int]]] = [{} for _ in sets]
    for facts, positions in readings.items():
        F = _answer_table(scope, facts)
        where = []
        if kinds is not None or topics is not None:
            chosen = select(Question.id)
            if kinds is not None:
                chosen = chosen.where(
                    Question.kind.in_([kind.name for kind in KINDS.values() if kind.name in kinds])
                )
            if topics is not None:
                chosen = chosen.where(Question.topic.in_(sorted(topics)))
            where.append(F.question_id.in_(chosen.scalar_subquery()))
        sums = _grouped_sums(
            F,
            scope,
            [sets[p] for p in positions],
            extra=[F.question_id, F.value_int, F.value_choice],
            measures=[F.count],
            where=where,
        )
        for position, found_here in zip(positions, sums, strict=True):
            found[position] = found_here
    asked = {question for sums in found for (_, (question, *_)) in sums}
    described = {
        row.id: (row.topic, row.kind)
        for row in db.session.execute(
            select(Question.id, Question.topic, Question.kind).where(Question.id.in_(asked))
        )
    }
    return [
        [
            ValueCount(
                key,
                question,
                *described[question],
                value_int if value_int is not None else choice,
                n,
            )
            for (key, (question, value_int, choice)), (n,) in sorted(sums.items(), key=_order)
        ]
        for sums in found
    ]


def value_counts(
    scope: Scope,
    by: Sequence[Dimension],
    *,
    kinds: Collection[str] | None = None,
    topics: Collection[str] | None = None,
) -> list[ValueCount]:
    """Answers of completed responses by question and value (by the day of completion)."""
    return value_counts_by(scope, [by], kinds=kinds, topics=topics)[0]


def pair_counts(scope: Scope, by: Sequence[Dimension]) -> list[PairCount]:
    """Pairs of scale answers to the overall and driver questions of the same response.

    Pairs are kept by day, program and questionnaire version only (drivers describe a program
    as a whole): `by` may name the program and periods, and of the scope only the dates and
    programs narrow them; its channels, languages, contact types and groups do not.
    """
    if any(d not in ("program", *(f"period:{p}" for p in _PERIODS)) for d in by):
        raise ValueError(f"pairs are counted by program and period only, not by {list(by)}")
    scope = Scope(scope.date_from, scope.date_to, programs=scope.programs)
    F = FactAnswerPairDaily
    (sums,) = _grouped_sums(
        F, scope, [by], extra=[F.topic_a, F.value_a, F.topic_b, F.value_b], measures=[F.count]
    )
    return [
        PairCount(key, topic_a, value_a, topic_b, value_b, n)
        for (key, (topic_a, value_a, topic_b, value_b)), (n,) in sorted(sums.items(), key=_order)
    ]


def reportable_groups(scope: Scope) -> dict[str, list[str]]:
    """The reportable attributes seen in scope (among the invitations sent), with their values."""
    F = FactInvitationDaily
    seen: dict[str, set[str]] = {}
    statement = select(F.client_group).distinct().where(*_in_scope(F, scope))
    for key in db.session.scalars(statement):
        attributes = _attributes(key)
        if _in_groups(attributes, scope.groups):
            for name, value in attributes.items():
                seen.setdefault(name, set()).add(value)
    return {name: sorted(values) for name, values in sorted(seen.items())}


def _order(item: tuple[tuple[Key, tuple[Any, ...]], list[int]]) -> tuple[Any, ...]:
    """A stable order (None first) so that the same facts always give the same list."""
    (key, extras), _ = item
    return tuple((v is not None, str(v)) for v in (*key, *extras))
