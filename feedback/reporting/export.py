"""De-identified response-level data, as CSV, streamed in constant memory.

One row per response (wide format), in this order of columns:

    response, completed_on, program, questionnaire_version, channel, contact_type, language,
    group:<attribute> ...   the reportable client-group attributes of the programs exported
                            (their union, by name),
    <question code> ...     one per question code of the questionnaire versions exported (their
                            union, by program code, version number, then position: a code first
                            seen earlier keeps its place).

A cell holds the answer's value: a scale's number, a choice's option value, the option values
of a multiple choice joined with ";" (in the order of the question's options), a free-text
answer as scrubbed text; empty when the response's version has no such question or the
question was not answered (or was spoken, without a transcript).

What makes it de-identified:

* `response` is a keyed hash (HMAC-SHA256 under the app's CLIENT_HASH_KEY, with a purpose of
  its own: :func:`feedback.security.keyed_hash`) of the response id: the same response keeps
  its reference from one export to the next, but it is not the id, not the client hash and not
  any token, so it links to nothing else in or out of the platform.
* `completed_on` is the UTC day of completion: no time of day.
* the client groups are the event's attributes that its program declares reportable
  (`Program.reportable_attributes`), nothing else of the event; never the client hash, an email
  address, a phone number, a token, a recording reference or an exact timestamp.
* free-text answers are exported only as scrubbed text, never as typed: the text the comment
  coding already scrubbed (`CodedComment.scrubbed`, kept by the periodic task), else scrubbed
  here (:func:`feedback.reporting.themes.scrub.scrub`, which replaces email addresses, phone
  numbers, client and application numbers, postal codes, addresses and names by placeholders).
* rows come in the order of completion; a cell a spreadsheet would run as a formula is quoted.

How it stays fast and flat: one query returns a row per response with its answers concatenated
in SQL (see :func:`_answers`: string_agg over one concat() per answer), so Python handles one
row per response, never one per answer, and no ORM object or type decorator (Core on the
session's connection, the day computed in SQL); it is read through a server-side cursor
(`yield_per`) and written as CSV in chunks of BATCH rows. Measured on PostgreSQL (2-core box
shared with other work), 199,200 responses of ~11 answers (30 % with a coded comment): 7.3-7.6 s
at load average ~3.5 (26,000-27,000 responses/s: 1 M in ~38 s), 20.5 s at load ~6.7; Python's
own CPU 3.4 s; peak RSS 291-292 MB for half the period and the whole, the app's own size.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, Text, case, cast, func, literal_column, select, text

from feedback.contacts.models import ContactEvent
from feedback.extensions import db
from feedback.invitations.models import Invitation
from feedback.programs.models import Program
from feedback.questionnaires.models import Question, Questionnaire, QuestionnaireVersion
from feedback.reporting.facts.build import WORK_MEM
from feedback.reporting.sql import json_attribute_text, utc_day
from feedback.reporting.themes.models import CodedComment
from feedback.reporting.themes.scrub import scrub
from feedback.responses.models import Answer, Response
from feedback.security import keyed_hash, keyed_hasher

if TYPE_CHECKING:
    from feedback.reporting.facts.read import Scope

#: Responses fetched from the cursor, and CSV rows written into one chunk, at a time.
BATCH = 5000
#: Hex digits kept of the response reference (64 bits: no collision among millions).
REFERENCE_LENGTH = 16
PURPOSE = "response-export"
GROUP_PREFIX = "group:"
LEADING = (
    "response",
    "completed_on",
    "program",
    "questionnaire_version",
    "channel",
    "contact_type",
    "language",
)
#: Separators of the answers concatenated in SQL (ASCII unit and record separators: control
#: characters no number, option value or position holds; a text comes last in its answer, and
#: RECORD is replaced by a space in it).
UNIT, RECORD = "\x1f", "\x1e"
#: A free text concatenated in SQL starts with SCRUBBED when it is the text the comment coding
#: already scrubbed (themes.store: CodedComment.scrubbed), else with TEXT (as typed).
SCRUBBED, TEXT = "s", "t"
#: Where the query's fixed columns end and the client groups begin.
GROUPS_AT = 8


def response_reference(response_id: str) -> str:
    """The stable, unlinkable reference of a response in exports."""
    return keyed_hash(response_id, PURPOSE)[:REFERENCE_LENGTH]


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula (choices and comments come from people)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


@dataclass(frozen=True)
class _Program:
    code: str
    groups: tuple[str, ...]  # its reportable attributes


@dataclass(frozen=True)
class _Version:
    number: int
    columns: dict[str, int] = field(default_factory=dict)  # question position (text) -> cell
    options: dict[int, dict[str, int]] = field(default_factory=dict)  # cell -> option -> place


@dataclass(frozen=True)
class _Layout:
    """The columns of an export and where each version's answers go."""

    programs: dict[str, _Program]
    groups: list[str]
    codes: list[str]
    versions: dict[str, _Version]

    @property
    def header(self) -> list[str]:
        return [*LEADING, *(GROUP_PREFIX + name for name in self.groups), *self.codes]


def _layout(scope: Scope) -> _Layout:
    query = select(Program)
    if scope.programs is not None:
        query = query.where(Program.id.in_(scope.programs))
    programs = {
        program.id: _Program(program.code, tuple(program.reportable_attributes or ()))
        for program in db.session.scalars(query)
    }
    groups = sorted({name for program in programs.values() for name in program.groups})
    rows = db.session.execute(
        select(
            QuestionnaireVersion.id,
            QuestionnaireVersion.number,
            Question.position,
            Question.code,
            Question.options,
        )
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .join(Question, Question.version_id == QuestionnaireVersion.id)
        .join(Program, Program.id == Questionnaire.program_id)
        .where(Questionnaire.program_id.in_(list(programs)))
        .order_by(Program.code, Questionnaire.code, QuestionnaireVersion.number, Question.position)
    )
    columns: dict[str, int] = {}  # question code -> cell
    first = len(LEADING) + len(groups)
    versions: dict[str, _Version] = {}
    for version_id, number, position, code, options in rows:
        column = columns.setdefault(code, first + len(columns))
        version = versions.setdefault(version_id, _Version(number))
        version.columns[str(position)] = column
        version.options[column] = {str(o.get("value")): i for i, o in enumerate(options or ())}
    return _Layout(programs, groups, list(columns), versions)


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _answers(responses: Select[Any]) -> Any:
    """Per response among `responses` (ids), its answers as one text: for each answer
    "position<UNIT>number<UNIT>choice<UNIT>text" (the empty ones empty; the text tagged SCRUBBED
    when the comment coding already scrubbed it, else TEXT), joined with RECORD.

    One concatenation per answer (concat() on PostgreSQL) and string_agg (group_concat on
    SQLite); the comment coding's text is looked up for free-text answers only."""
    unit = literal_column(f"'{UNIT}'")
    record = literal_column(f"'{RECORD}'")
    coded = (
        select(literal_column(f"'{SCRUBBED}'").concat(CodedComment.scrubbed))
        .where(CodedComment.answer_id == Answer.id)
        .scalar_subquery()
    )
    comment = case(
        (
            Answer.value_text.is_not(None),
            func.replace(
                func.coalesce(coded, literal_column(f"'{TEXT}'").concat(Answer.value_text)),
                record,
                literal_column("' '"),
            ),
        )
    )
    parts = (Question.position, unit, Answer.value_int, unit, Answer.value_choice, unit, comment)
    if _postgresql():
        answer = func.concat(*parts, type_=Text)
        joined = func.string_agg(answer, record, type_=Text)
    else:
        answer = literal_column("''")
        for part in parts:
            answer = answer.concat(func.coalesce(cast(part, Text), literal_column("''")))
        joined = func.group_concat(answer, record, type_=Text)
    return (
        select(Answer.response_id, joined.label("answers"))
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id.in_(responses))
        .group_by(Answer.response_id)
        .subquery()
    )


def _query(scope: Scope, layout: _Layout) -> Select[Any]:
    """One row per completed response: its columns, its answers as one text (see _answers), then
    the event's attributes named in `layout.groups` (read in SQL, so that no other attribute is
    even fetched)."""
    start = datetime.combine(scope.date_from, time(), UTC)
    end = datetime.combine(scope.date_to + timedelta(days=1), time(), UTC)
    completed = (
        Response.is_complete.is_(True),
        Response.completed_at >= start,
        Response.completed_at < end,
        Response.program_id.in_(list(layout.programs)),
    )
    answers = _answers(select(Response.id).where(*completed))
    query = (
        select(
            Response.id,
            utc_day(Response.completed_at),
            Response.program_id,
            Response.questionnaire_version_id,
            Response.channel,
            ContactEvent.contact_type,
            Response.language,
            answers.c.answers,
            *(json_attribute_text(ContactEvent.attributes, name) for name in layout.groups),
        )
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(ContactEvent, ContactEvent.id == Invitation.event_id)
        .outerjoin(answers, answers.c.response_id == Response.id)
        .where(*completed)
        .order_by(Response.completed_at, Response.id)
    )
    if scope.channels is not None:
        query = query.where(Response.channel.in_(scope.channels))
    if scope.languages is not None:
        query = query.where(Response.language.in_(scope.languages))
    if scope.contact_types is not None:
        query = query.where(ContactEvent.contact_type.in_(scope.contact_types))
    return query.execution_options(yield_per=BATCH)


def _in_groups(
    values: Sequence[Any],
    program: _Program,
    groups: list[str],
    wanted: Mapping[str, frozenset[str]],
) -> bool:
    """Whether the response's reportable groups fall within the scope's."""
    for name, kept in wanted.items():
        if name not in program.groups:
            return False
        value = values[groups.index(name)]
        if value is None or str(value) not in kept:
            return False
    return True


def _row(
    row: Sequence[Any], layout: _Layout, width: int, reference: Callable[[str], str]
) -> list[Any]:
    response_id, day, program_id, version_id, channel, contact_type, language, answers = row[
        :GROUPS_AT
    ]
    program = layout.programs[program_id]
    version = layout.versions[version_id]
    cells: list[Any] = [""] * width
    cells[: len(LEADING)] = (
        reference(response_id)[:REFERENCE_LENGTH],
        day.isoformat(),
        program.code,
        version.number,
        channel,
        _safe(contact_type),
        language,
    )
    for i, name in enumerate(layout.groups):
        value = row[GROUPS_AT + i]
        if value is not None and name in program.groups:
            cells[len(LEADING) + i] = _safe(str(value))
    if not answers:
        return cells
    given: dict[int, list[str]] = {}  # choices and texts, made safe once joined
    for answer in answers.split(RECORD):
        position, number, choice, comment = answer.split(UNIT, 3)
        column = version.columns[position]
        if number:
            cells[column] = number
        elif choice:
            given.setdefault(column, []).append(choice)
        elif comment:
            tag, comment = comment[0], comment[1:]
            given.setdefault(column, []).append(
                comment if tag == SCRUBBED else scrub(comment.strip(), language)
            )
    for column, values in given.items():
        if len(values) > 1:  # a multiple choice: one answer per option chosen
            order = version.options[column]
            values.sort(key=lambda value: (order.get(value, len(order)), value))
        cells[column] = _safe(";".join(values))
    return cells


def stream_responses(
    scope: Scope, *, written: Callable[[int], None] | None = None
) -> Iterator[str]:
    """The responses completed in `scope` (its days, programs, channels, languages, contact types
    and groups), one CSV row each, the header first; yielded in chunks of up to BATCH rows.

    `written`, when given, is called with the number of responses in each chunk (for a count
    without parsing the CSV)."""
    layout = _layout(scope)
    header = layout.header
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    yield out.getvalue()
    if not layout.programs:
        return
    reference = keyed_hasher(PURPOSE)
    if _postgresql():
        # Group and sort the responses in memory rather than on disk (this transaction only).
        db.session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    # Core on the session's connection: rows as tuples, no ORM loading on the way.
    result = db.session.connection().execute(_query(scope, layout))
    for batch in result.partitions():
        rows = []
        for row in batch:
            program = layout.programs[row[2]]
            if scope.groups and not _in_groups(
                row[GROUPS_AT:], program, layout.groups, scope.groups
            ):
                continue
            rows.append(_row(row, layout, len(header), reference))
        if not rows:
            continue
        out.seek(0)
        out.truncate()
        writer.writerows(rows)
        if written is not None:
            written(len(rows))
        yield out.getvalue()
