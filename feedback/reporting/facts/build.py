"""Facts: integer counts per UTC day in the fact tables, recomputed in SQL.

Three tables (the first two keyed by day, program, channel, contact type, language and client
group, :mod:`feedback.reporting.facts.groups`):

- fact_invitation_daily: invitations sent, reached and completed, by the day they were sent;
- fact_answer_daily: answers of completed responses by question and value, by the day the
  response was completed;
- fact_answer_pair_daily: pairs of scale answers of the same completed response to the overall
  and driver questions (topics), by the day the response was completed (keyed by day, program
  and version only);

and, kept from fact_answer_daily whenever answer facts of days are recomputed: fact_answer_monthly,
summed by UTC month (:func:`refresh_months`), and fact_answer_channel_daily, summed over contact
type, language and client group (:func:`refresh_channel_days`).

A refresh deletes the facts of a range of days and rebuilds them with INSERT ... SELECT ...
GROUP BY, so running it twice gives the same rows and nothing is counted in Python.
:func:`update` (the periodic task) refreshes only the days touched since its watermark;
:func:`rebuild` recomputes every day that is not sealed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    Select,
    case,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.programs.models import Program
from feedback.questionnaires.models import Question
from feedback.questionnaires.topics import DRIVERS
from feedback.reporting.facts import groups
from feedback.reporting.models import (
    NO_GROUP,
    FactAnswerChannelDaily,
    FactAnswerDaily,
    FactAnswerMonthly,
    FactAnswerPairDaily,
    FactInvitationDaily,
    FactSeal,
    FactWatermark,
)
from feedback.reporting.sql import (
    json_attribute_text,
    json_string,
    period_start,
    quoted,
    utc_day,
)
from feedback.responses.models import Answer, Response

log = logging.getLogger(__name__)
# Any constant will do: it only has to be the same for every process that refreshes facts.
_ADVISORY_LOCK_KEY = 72_011_301
#: Invitation facts of the last RECENT_DAYS send days are refreshed by every update: receipts
#: (undelivered, failed) change them without a response.
RECENT_DAYS = 2
#: An update reads the responses completed since its watermark less this margin: a response
#: whose transaction commits a little after its completed_at is still seen.
SAFETY_MARGIN = timedelta(minutes=5)
WATERMARK = "facts"
#: PostgreSQL's memory for each sort or hash of a refresh (SET LOCAL: this transaction only).
WORK_MEM = "256MB"
#: The topics whose scale answers are counted in pairs (for the drivers of satisfaction).
PAIR_TOPICS = ("overall", *DRIVERS)
#: Invitations that left but never reached the client: not in the response rate's denominator.
NOT_REACHED = (InvitationStatus.UNDELIVERED, InvitationStatus.FAILED)


@dataclass(frozen=True)
class RefreshResult:
    day_from: date
    day_to: date
    invitation_rows: int
    answer_rows: int
    pair_rows: int = 0


@dataclass(frozen=True)
class UpdateResult:
    """What an update recomputed: the send days of the invitation facts, the completion days
    of the answer and pair facts, and the rows written."""

    invitation_days: frozenset[date]
    answer_days: frozenset[date]
    rows: int
    rebuilt: bool = False


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _as_date(value: Any) -> date:
    """SQLite gives a day as text, PostgreSQL as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _serialise_refreshes() -> None:
    """On PostgreSQL, hold a transaction lock so two refreshes of the same days cannot both
    delete, then both insert (under READ COMMITTED neither would see the other's rows), and
    give this transaction's GROUP BYs the memory to hash their groups instead of sorting them
    on disk. SQLite already allows a single writer at a time."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
        db.session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))


def client_group(program_id: Any, attributes: Any) -> ColumnElement[str]:
    """The client group key (see :mod:`~feedback.reporting.facts.groups`) in SQL.

    One CASE branch per program that declares reportable attributes; within it, each attribute
    adds `,"name":"value"` when the event gives it, and the leading comma is cut. Everything is
    inlined (no bound parameter) so that the expression can be repeated in GROUP BY.
    """
    branches = []
    declared = db.session.execute(select(Program.id, Program.reportable_attributes))
    for pid, names in declared:
        parts = []
        for name in groups.valid_names(names or []):
            value = json_attribute_text(attributes, name)
            parts.append(
                case(
                    (value.is_(None), literal_column("''")),
                    else_=literal_column(quoted(f',"{name}":')).concat(
                        json_string(func.substr(value, 1, groups.VALUE_LENGTH))
                    ),
                )
            )
        if not parts:
            continue
        joined = parts[0]
        for part in parts[1:]:
            joined = joined.concat(part)
        key = literal_column("'{'").concat(func.substr(joined, 2)).concat(literal_column("'}'"))
        branches.append((program_id == literal_column(quoted(pid)), key))
    if not branches:
        return literal_column(quoted(NO_GROUP))
    return case(*branches, else_=literal_column(quoted(NO_GROUP)))


def _varying(*expressions: Any) -> list[Any]:
    """The expressions less the constant ones: PostgreSQL refuses a constant in GROUP BY or
    ORDER BY (the client group is one when no program declares attributes)."""
    return [e for e in expressions if not getattr(e, "is_literal", False)]


def _invitation_facts(start: datetime, end: datetime) -> Select[Any]:
    day = utc_day(Invitation.sent_at)
    group = client_group(Invitation.program_id, ContactEvent.attributes)
    keys = (
        Invitation.program_id,
        Invitation.channel,
        ContactEvent.contact_type,
        Invitation.language,
    )
    reached = case((Invitation.status.not_in(NOT_REACHED), literal_column("1")))
    return (
        select(
            day.label("day"),
            *keys,
            group.label("client_group"),
            func.count().label("sent"),
            func.count(reached).label("reached"),
            func.count(Invitation.completed_at).label("completed"),
        )
        .join(ContactEvent, ContactEvent.id == Invitation.event_id)
        .where(
            Invitation.sent_at >= start,
            Invitation.sent_at < end,
            Invitation.channel.is_not(None),
        )
        .group_by(*_varying(day, *keys, group))
    )


#: The key of the pair facts, and of the answer facts (which also have the rest of the key).
_PAIR_KEY = ["day", "program_id", "questionnaire_version_id"]
_KEY = [*_PAIR_KEY, "channel", "contact_type", "language", "client_group"]


def _completed(start: datetime, end: datetime, *, whole_key: bool = True) -> CTE:
    """The responses completed in [start, end), each with two small integers: `cell`, the
    number of its fact key (whole_key: _KEY, else _PAIR_KEY), and `n`, its own number.

    The client group is computed once per response (MATERIALIZED: not once per answer), and
    the answers are then grouped by integers rather than by several long strings: hashing
    them is what a fact build spends most of its time on.
    """
    keys: list[Any] = [
        utc_day(Response.completed_at),
        Response.program_id,
        Response.questionnaire_version_id,
    ]
    query = select(Response.id.label("response_id"))
    if whole_key:
        keys += [
            Response.channel,
            ContactEvent.contact_type,
            Response.language,
            client_group(Response.program_id, ContactEvent.attributes),
        ]
        query = query.join(Invitation, Invitation.id == Response.invitation_id).join(
            ContactEvent, ContactEvent.id == Invitation.event_id
        )
    return (
        query.add_columns(
            *(key.label(name) for key, name in zip(keys, _KEY, strict=False)),
            func.dense_rank().over(order_by=_varying(*keys)).label("cell"),
            func.row_number().over().label("n"),
        )
        .where(Response.completed_at >= start, Response.completed_at < end)
        .cte("completed")
        .prefix_with("MATERIALIZED")
    )


def _with_keys(responses: CTE, counts: Any, names: list[str], *ctes: CTE) -> Select[Any]:
    """The counts by cell with each cell's fact key columns (`names`) in front.

    The WITH clause (the responses, then `ctes`) is written on this SELECT, so that each is
    computed once, and after INSERT once the SELECT is put in a subquery (see _replace).
    """
    cells = select(responses.c.cell, *(responses.c[n] for n in names)).distinct().subquery("cells")
    rest = [column for column in counts.c if column.name != "cell"]
    query = select(*(cells.c[name] for name in names), *rest).join_from(
        counts, cells, cells.c.cell == counts.c.cell
    )
    return query.add_cte(responses, *ctes, nest_here=True)


def _answer_facts(start: datetime, end: datetime) -> Select[Any]:
    responses = _completed(start, end)
    keys = (responses.c.cell, Answer.question_id, Answer.value_int, Answer.value_choice)
    counts = (
        select(*keys, func.count().label("count"))
        .select_from(responses)
        .join(Answer, Answer.response_id == responses.c.response_id)
        # Free text is not counted by value.
        .where(or_(Answer.value_int.is_not(None), Answer.value_choice.is_not(None)))
        .group_by(*keys)
        .subquery("counts")
    )
    return _with_keys(responses, counts, _KEY)


#: The pair topics in string order: the pairs of topics counted, each (topic_a, topic_b) with
#: topic_a < topic_b.
_PAIR_ORDER = tuple(sorted(PAIR_TOPICS))
_TOPIC_PAIRS = tuple((a, b) for i, a in enumerate(_PAIR_ORDER) for b in _PAIR_ORDER[i + 1 :])


def _pair_facts(start: datetime, end: datetime) -> Select[Any]:
    """The pair counts, without joining each response's answers with themselves.

    Each response's scale answers to the pair topics become one row, its pattern: one column per
    topic (NULL when not answered; a topic is given to at most one question of a version, and a
    scale question has one answer). The patterns are counted by cell, and each counted pattern
    is then expanded into its pairs of answered topics, one scan of the patterns per pair of
    topics: no join, and as many patterns as responses at worst (fewer when scales agree).
    """
    responses = _completed(start, end, whole_key=False)
    values = [
        func.max(case((Question.topic == literal_column(quoted(topic)), Answer.value_int))).label(
            f"v{i}"
        )
        for i, topic in enumerate(_PAIR_ORDER)
    ]
    answered = (
        select(responses.c.cell, *values)
        .select_from(responses)
        .join(Answer, Answer.response_id == responses.c.response_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.topic.in_(PAIR_TOPICS), Answer.value_int.is_not(None))
        .group_by(responses.c.n, responses.c.cell)
        .subquery("answered")
    )
    columns = {topic: answered.c[f"v{i}"] for i, topic in enumerate(_PAIR_ORDER)}
    patterns = (
        select(answered.c.cell, *columns.values(), func.count().label("count"))
        .group_by(answered.c.cell, *columns.values())
        .cte("patterns")
        .prefix_with("MATERIALIZED")
    )
    pairs = []
    for topic_a, topic_b in _TOPIC_PAIRS:
        value_a = patterns.c[columns[topic_a].name]
        value_b = patterns.c[columns[topic_b].name]
        pairs.append(
            select(
                patterns.c.cell,
                literal_column(quoted(topic_a)).label("topic_a"),
                value_a.label("value_a"),
                literal_column(quoted(topic_b)).label("topic_b"),
                value_b.label("value_b"),
                func.sum(patterns.c.count).label("count"),
            )
            .where(value_a.is_not(None), value_b.is_not(None))
            .group_by(patterns.c.cell, value_a, value_b)
        )
    counts = union_all(*pairs).subquery("counts")
    return _with_keys(responses, counts, _PAIR_KEY, patterns)


_COLUMNS: dict[Any, list[str]] = {
    FactInvitationDaily: ["day", "program_id", "channel", "contact_type", "language"]
    + ["client_group", "sent", "reached", "completed"],
    FactAnswerDaily: [*_KEY, "question_id", "value_int", "value_choice", "count"],
    FactAnswerPairDaily: [*_PAIR_KEY, "topic_a", "value_a", "topic_b", "value_b", "count"],
}


def _replace(fact: Any, query: Select[Any], day_from: date, day_to: date) -> int:
    """Delete the facts of the days, insert the query's rows; the number inserted."""
    db.session.execute(delete(fact).where(fact.day >= day_from, fact.day <= day_to))
    # In a subquery, the (nesting) WITH clause comes after INSERT: a statement that starts with
    # WITH gets no row count from SQLite's driver.
    rows = select(*query.subquery("facts").c)
    # preserve_rowcount: SQLAlchemy only keeps the row count of UPDATE and DELETE by default.
    result = db.session.execute(
        insert(fact.__table__).from_select(_COLUMNS[fact], rows),
        execution_options={"preserve_rowcount": True},
    )
    return result.rowcount


def _unsealed(day_from: date, day_to: date) -> tuple[date, date] | None:
    """The part of the range after the sealed days (whose rows may be gone), or None."""
    if day_from > day_to:
        raise ValueError("day_from is after day_to")
    sealed = sealed_through()
    if sealed is not None and day_from <= sealed:
        day_from = sealed + timedelta(days=1)
    return (day_from, day_to) if day_from <= day_to else None


def refresh_invitations(day_from: date, day_to: date) -> int:
    """Recompute the invitation facts of the send days day_from..day_to; rows written."""
    days = _unsealed(day_from, day_to)
    if days is None:
        return 0
    _serialise_refreshes()
    start, end = _start_of(days[0]), _start_of(days[1] + timedelta(days=1))
    return _replace(FactInvitationDaily, _invitation_facts(start, end), *days)


def month_of(day: date) -> date:
    """The first day of the day's month."""
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


#: The columns of the monthly answer facts that are not the period nor the count.
_MONTH_KEY = _COLUMNS[FactAnswerDaily][1:-1]
#: The same of the channel answer facts: the daily key less contact type, language and group.
_CHANNEL_KEY = [
    name for name in _MONTH_KEY if name not in ("contact_type", "language", "client_group")
]


def _summarise(fact: Any, period: str, keys: list[str], first: date, end: date, start: Any) -> int:
    """Replace the rows of `fact` whose `period` column is in [first, end) with the daily
    answer facts of those days summed by `start` (the period's first day) and `keys`."""
    F = FactAnswerDaily
    column = getattr(fact, period)
    db.session.execute(delete(fact).where(column >= first, column < end))
    columns = [getattr(F, name) for name in keys]
    rows = (
        select(start, *columns, func.sum(F.count))
        .where(F.day >= first, F.day < end)
        .group_by(start, *columns)
    )
    result = db.session.execute(
        insert(fact.__table__).from_select([period, *keys, "count"], rows),
        execution_options={"preserve_rowcount": True},
    )
    return result.rowcount


def refresh_months(day_from: date, day_to: date) -> int:
    """Recompute the monthly answer facts of the months the days fall in, from the daily facts
    (not from the answers: sealed days keep their daily facts, so a month can always be
    recomputed); rows written."""
    first, end = month_of(day_from), _next_month(month_of(day_to))
    start = period_start(FactAnswerDaily.day, "month")
    return _summarise(FactAnswerMonthly, "month", _MONTH_KEY, first, end, start)


def refresh_channel_days(day_from: date, day_to: date) -> int:
    """Recompute the channel answer facts of the days from the daily facts; rows written."""
    end = day_to + timedelta(days=1)
    day = FactAnswerDaily.day
    return _summarise(FactAnswerChannelDaily, "day", _CHANNEL_KEY, day_from, end, day)


def refresh_answers(day_from: date, day_to: date) -> tuple[int, int]:
    """Recompute the answer and pair facts of the completion days, then the monthly answer
    facts of their months and the channel answer facts of the days; (daily answer rows, pair
    rows)."""
    days = _unsealed(day_from, day_to)
    if days is None:
        return 0, 0
    _serialise_refreshes()
    start, end = _start_of(days[0]), _start_of(days[1] + timedelta(days=1))
    answer_rows = _replace(FactAnswerDaily, _answer_facts(start, end), *days)
    refresh_months(*days)
    refresh_channel_days(*days)
    return answer_rows, _replace(FactAnswerPairDaily, _pair_facts(start, end), *days)


def refresh(day_from: date, day_to: date) -> RefreshResult:
    """Recompute the three fact tables for the UTC days day_from..day_to (inclusive).

    Sealed days are left as they are. Runs in the caller's transaction, so the deletes and
    inserts become visible together when the caller commits.
    """
    if day_from > day_to:
        raise ValueError("day_from is after day_to")
    invitation_rows = refresh_invitations(day_from, day_to)
    answer_rows, pair_rows = refresh_answers(day_from, day_to)
    result = RefreshResult(day_from, day_to, invitation_rows, answer_rows, pair_rows)
    log.info(
        "facts refreshed",
        extra={
            "fields": {
                "from": day_from.isoformat(),
                "to": day_to.isoformat(),
                "invitation_rows": invitation_rows,
                "answer_rows": answer_rows,
                "pair_rows": pair_rows,
            }
        },
    )
    return result


def _data_days() -> tuple[date, date] | None:
    """The first and last days that have facts or rows to count them from."""
    bounds = union(
        select(func.min(utc_day(Invitation.sent_at)), func.max(utc_day(Invitation.sent_at))),
        select(func.min(utc_day(Response.completed_at)), func.max(utc_day(Response.completed_at))),
        *(select(func.min(f.day), func.max(f.day)) for f in _COLUMNS),
    ).subquery()
    first, last = db.session.execute(select(func.min(bounds.c[0]), func.max(bounds.c[1]))).one()
    if first is None:
        return None
    return _as_date(first), _as_date(last)


def _set_watermark(through: datetime) -> None:
    mark = db.session.get(FactWatermark, WATERMARK)
    if mark is None:
        db.session.add(FactWatermark(name=WATERMARK, through=through))
    else:
        mark.through = through
    db.session.flush()


def rebuild(now: datetime | None = None) -> list[RefreshResult]:
    """Recompute the facts of every day that is not sealed, from the raw rows, and move the
    watermark to `now`: the next :func:`update` goes on from there."""
    now = now or utcnow()
    _serialise_refreshes()
    span = _data_days()
    results = []
    if span is not None:
        first, last = span
        if _unsealed(first, last) is not None:
            # One pass over every day: each month apart would read all the answers again.
            results = [refresh(first, last)]
    _set_watermark(now)
    _analyze()
    return results


def _analyze() -> None:
    """On PostgreSQL, refresh the planner's statistics of the fact tables after a rebuild: with
    the old ones it chose a plan 5 times slower for a report's read."""
    if db.session.get_bind().dialect.name == "postgresql":
        for fact in (*_COLUMNS, FactAnswerMonthly, FactAnswerChannelDaily):
            db.session.execute(text(f"ANALYZE {fact.__tablename__}"))


def touched_since(since: datetime) -> tuple[set[date], set[date]]:
    """(completion days, send days) of the responses completed after `since`, through the
    index on responses.completed_at."""
    rows = db.session.execute(
        select(utc_day(Response.completed_at), utc_day(Invitation.sent_at))
        .distinct()
        .join(Invitation, Invitation.id == Response.invitation_id)
        .where(Response.completed_at > since)
    )
    completed: set[date] = set()
    sent: set[date] = set()
    for completed_day, sent_day in rows:
        completed.add(_as_date(completed_day))
        if sent_day is not None:
            sent.add(_as_date(sent_day))
    return completed, sent


def contiguous_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Group days into inclusive (first, last) runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def update(now: datetime | None = None, extra_days: Iterable[date] = ()) -> UpdateResult:
    """Bring the facts up to date incrementally (the periodic task).

    Reads only the responses completed since the watermark (less SAFETY_MARGIN), recomputes the
    answer and pair facts of their completion days and the invitation facts of their send days
    and of the last RECENT_DAYS days (and of `extra_days`), then moves the watermark to `now`.
    Without a watermark yet, rebuilds everything once.
    """
    now = now or utcnow()
    _serialise_refreshes()
    mark = db.session.get(FactWatermark, WATERMARK)
    if mark is None:
        results = rebuild(now)
        return UpdateResult(
            frozenset(),
            frozenset(),
            sum(r.invitation_rows + r.answer_rows + r.pair_rows for r in results),
            rebuilt=True,
        )
    answer_days, send_days = touched_since(mark.through - SAFETY_MARGIN)
    today = now.astimezone(UTC).date()
    invitation_days = send_days | {today - timedelta(days=n) for n in range(RECENT_DAYS)}
    invitation_days |= set(extra_days)
    answer_days |= set(extra_days)
    rows = sum(refresh_invitations(*run) for run in contiguous_runs(invitation_days))
    rows += sum(sum(refresh_answers(*run)) for run in contiguous_runs(answer_days))
    _set_watermark(max(mark.through, now))
    log.info(
        "facts updated",
        extra={"fields": {"rows": rows, "answer_days": len(answer_days)}},
    )
    return UpdateResult(frozenset(invitation_days), frozenset(answer_days), rows)


def sealed_through() -> date | None:
    """The last day whose facts are final (see :func:`seal_through`), if any."""
    return db.session.scalar(select(FactSeal.sealed_through).where(FactSeal.id == 1))


def seal_through(day: date) -> None:
    """Refresh the days not yet sealed up to `day`, then mark them final: from now on no
    refresh recomputes them, so the rows they count may be deleted (retention)."""
    sealed = sealed_through()
    if sealed is not None and sealed >= day:
        return
    span = _data_days()
    if span is not None and span[0] <= day:
        begin = span[0] if sealed is None else max(span[0], sealed + timedelta(days=1))
        refresh(begin, day)
    row = db.session.get(FactSeal, 1)
    if row is None:
        db.session.add(FactSeal(id=1, sealed_through=day))
    else:
        row.sealed_through = day
    db.session.flush()
