"""Coded comments kept current, and what a report reads from them.

:func:`code_new` (periodic) scrubs and codes the free-text answers of the responses completed
since its watermark (less a safety margin, through the index on responses.completed_at) that
are not coded yet; rows are inserted with ON CONFLICT DO NOTHING, so a re-run or two workers
never make a second row. :func:`recode_all` scrubs and codes every stored answer again (after
the taxonomy or the scrubbing changed). Both run in the caller's transaction.

:func:`summarise` ranks themes by how many comments carry them, then by how dissatisfied their
authors are (the share whose overall satisfaction is below the top box of its scale: 1 to 3 on
the 1-5 rating), with up to three representative scrubbed comments each.

:func:`digest` gives a report all of it at once, for the whole scope and each program, in each
language: the counts are summed in SQL (by program, theme list and overall answer), examples are
chosen among the CANDIDATES shortest comments of five words or more of each program, theme list
and language, and emerging themes are clustered from at most SAMPLE uncoded comments (a fixed
sample by answer id; counts scaled to all of them and marked `estimated`), so a report reads a
bounded number of comment texts however many there are.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, Text, case, cast, exists, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite

from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.invitations.models import Invitation
from feedback.programs.models import Program
from feedback.questionnaires import kinds
from feedback.questionnaires.models import Question
from feedback.reporting.facts import groups
from feedback.reporting.models import FactWatermark
from feedback.reporting.themes.coding import code
from feedback.reporting.themes.discover import discover
from feedback.reporting.themes.models import CodedComment
from feedback.reporting.themes.scrub import scrub
from feedback.responses.models import Answer, Response

if TYPE_CHECKING:
    from feedback.reporting.facts.read import Scope

WATERMARK = "comments"
#: A response whose transaction commits a little after its completed_at is still seen.
SAFETY_MARGIN = timedelta(minutes=5)
BATCH_SIZE = 500
#: After coding this many comments at once, refresh the table's statistics (PostgreSQL).
ANALYZE_AFTER = 10_000
EXAMPLES = 3
#: Comments read per program, theme list and language to choose a theme's examples from.
CANDIDATES = 20
#: Uncoded comments clustered at most, per program and for the whole scope: a fixed sample
#: (by answer id) when there are more, whose cluster sizes are scaled to all of them.
SAMPLE = 1000
_SENTENCE_END = re.compile(r"[.!?…]['\"»)]?$")
_PLACEHOLDER = re.compile(r"\[[^\]]+\]")


@dataclass(frozen=True)
class ThemeSummary:
    code: str
    count: int  # comments that carry the theme
    share: float  # of the comments in scope
    dissatisfied_share: float | None  # of its authors who gave an overall satisfaction
    mean_overall: float | None
    examples: tuple[str, ...]  # up to 3 scrubbed comments, in the report language first


@dataclass(frozen=True)
class Emerging:
    terms: tuple[str, ...]
    count: int
    examples: tuple[str, ...]
    estimated: bool = False  # count scaled from a sample of the uncoded comments (see SAMPLE)


def _sources() -> Select[Any]:
    """Free-text answers of completed responses, with what a coded comment copies."""
    return (
        select(
            Answer.id,
            Answer.value_text,
            Response.id.label("response_id"),
            Response.program_id,
            Response.questionnaire_version_id,
            Response.completed_at,
            Response.channel,
            Response.language,
            ContactEvent.contact_type,
            ContactEvent.attributes,
            Program.reportable_attributes,
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Invitation, Invitation.id == Response.invitation_id)
        .join(ContactEvent, ContactEvent.id == Invitation.event_id)
        .join(Program, Program.id == Response.program_id)
        .where(
            Response.is_complete.is_(True),
            Response.completed_at.is_not(None),
            Answer.value_text.is_not(None),
            func.trim(Answer.value_text) != "",
        )
    )


def _overall(response_ids: Iterable[str]) -> dict[str, int]:
    """Each response's overall satisfaction: its "overall" question, else its first question of
    a kind that feeds the satisfaction figure."""
    rows = db.session.execute(
        select(Answer.response_id, Answer.value_int, Question.topic, Question.position)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Answer.response_id.in_(list(response_ids)),
            Question.kind.in_([kind.name for kind in kinds.feeding("satisfaction")]),
            Answer.value_int.is_not(None),
        )
        .order_by(Answer.response_id, Question.position)
    )
    chosen: dict[str, tuple[bool, int]] = {}
    for response_id, value, topic, _position in rows:
        if response_id not in chosen or (topic == "overall" and not chosen[response_id][0]):
            chosen[response_id] = (topic == "overall", value)
    return {response_id: value for response_id, (_, value) in chosen.items()}


def _rows(batch: Sequence[Any]) -> list[dict[str, Any]]:
    overall = _overall({row.response_id for row in batch})
    rows = []
    for row in batch:
        language = row.language if row.language in ("en", "fr") else "en"
        scrubbed = scrub(row.value_text.strip(), language)
        rows.append(
            {
                "answer_id": row.id,
                "response_id": row.response_id,
                "program_id": row.program_id,
                "questionnaire_version_id": row.questionnaire_version_id,
                "day": row.completed_at.astimezone(UTC).date(),
                "channel": row.channel,
                "contact_type": row.contact_type,
                "language": row.language,
                "client_group": groups.encode(
                    row.attributes or {}, row.reportable_attributes or []
                ),
                "scrubbed": scrubbed,
                "themes": code(scrubbed, language),
                "overall": overall.get(row.response_id),
            }
        )
    return rows


def _upsert(rows: list[dict[str, Any]], *, replace: bool) -> None:
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CodedComment.__table__).values(rows)
    if replace:
        changed = ("scrubbed", "themes", "overall", "client_group", "contact_type")
        statement = statement.on_conflict_do_update(
            index_elements=["answer_id"],
            set_={name: statement.excluded[name] for name in changed},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["answer_id"])
    db.session.execute(statement)


def _set_watermark(through: datetime) -> None:
    mark = db.session.get(FactWatermark, WATERMARK)
    if mark is None:
        db.session.add(FactWatermark(name=WATERMARK, through=through))
    elif through > mark.through:
        mark.through = through


def code_new(now: datetime | None = None) -> int:
    """Code the comments of responses completed since the watermark; returns how many."""
    now = now or utcnow()
    mark = db.session.get(FactWatermark, WATERMARK)
    query = _sources().where(
        Response.completed_at <= now,
        ~exists().where(CodedComment.answer_id == Answer.id),
    )
    if mark is not None:
        query = query.where(Response.completed_at >= mark.through - SAFETY_MARGIN)
    coded = _code_pages(query, replace=False)
    _set_watermark(now)
    if coded >= ANALYZE_AFTER and db.session.get_bind().dialect.name == "postgresql":
        # The planner's statistics of the rows just coded, before a report reads them (with
        # none yet, it reads a quarter's comments several times slower).
        db.session.execute(text("ANALYZE coded_comments"))
    return coded


def recode_all() -> int:
    """Scrub and code every free-text answer again; returns how many."""
    return _code_pages(_sources(), replace=True)


def _code_pages(query: Select[Any], *, replace: bool) -> int:
    """Code the query's answers in keyset pages of BATCH_SIZE by answer id: each page starts
    where the last one ended, so the whole run reads each answer once (an OFFSET, or NOT EXISTS
    alone, would read every coded answer again for each page)."""
    last = ""
    done = 0
    while True:
        batch = db.session.execute(
            query.where(Answer.id > last).order_by(Answer.id).limit(BATCH_SIZE)
        ).all()
        _upsert(_rows(batch), replace=replace)
        done += len(batch)
        if len(batch) < BATCH_SIZE:
            return done
        last = batch[-1].id


def _in_scope(scope: Scope) -> list[Any]:
    conditions = [CodedComment.day >= scope.date_from, CodedComment.day <= scope.date_to]
    for column, kept in (
        (CodedComment.program_id, scope.programs),
        (CodedComment.channel, scope.channels),
        (CodedComment.language, scope.languages),
        (CodedComment.contact_type, scope.contact_types),
    ):
        if kept is not None:
            conditions.append(column.in_(sorted(kept)))
    return conditions


def _examples(rows: Iterable[Any], language: str) -> tuple[str, ...]:
    """The report language first, then whole sentences of 5 to 60 words, fewest placeholders,
    shortest, then alphabetical (so the same comments every time)."""

    def rank(row: Any) -> tuple[Any, ...]:
        text = row.scrubbed
        words = len(text.split())
        sentence = 5 <= words <= 60 and bool(_SENTENCE_END.search(text))
        return (
            row.language != language,
            not sentence,
            len(_PLACEHOLDER.findall(text)),
            len(text),
            text,
        )

    chosen: list[str] = []
    for row in sorted(rows, key=rank):
        if row.scrubbed not in chosen:
            chosen.append(row.scrubbed)
        if len(chosen) == EXAMPLES:
            break
    return tuple(chosen)


def _top_box() -> int:
    """Where the satisfaction scale's top box starts: below it, an author is dissatisfied."""
    scales = {kind.scale for kind in kinds.feeding("satisfaction") if kind.scale is not None}
    if len(scales) != 1:
        raise RuntimeError("the satisfaction kinds must share one scale")
    return scales.pop().top_from


@dataclass
class _Tally:
    """Counts of one theme (or of all comments) in one program or the whole scope."""

    count: int = 0
    rated: int = 0  # of them, with an overall satisfaction answer
    dissatisfied: int = 0
    overall_sum: int = 0

    def add(self, overall: int | None, n: int, top_from: int) -> None:
        self.count += n
        if overall is not None:
            self.rated += n
            self.dissatisfied += n if overall < top_from else 0
            self.overall_sum += overall * n


def _kept(client_group: str | None, scope: Scope) -> bool:
    if not scope.groups:
        return True
    attributes = groups.decode(client_group or "{}")
    return all(attributes.get(name) in values for name, values in scope.groups.items())


def _themes_text() -> Any:
    """The themes as text: GROUP BY and PARTITION BY cannot use a JSON column on PostgreSQL."""
    return cast(CodedComment.themes, Text)


def _tallies(
    scope: Scope,
) -> tuple[dict[str | None, _Tally], dict[str | None, dict[str, _Tally]], dict[str | None, int]]:
    """(comments, {theme: tally}, uncoded comments) per program and for the whole scope (None),
    counted in SQL: rows by program, theme list, overall answer (and client group if filtered)."""
    themes = _themes_text()
    by_group = [CodedComment.client_group] if scope.groups else []
    statement = (
        select(CodedComment.program_id, themes, CodedComment.overall, *by_group, func.count())
        .where(*_in_scope(scope))
        .group_by(CodedComment.program_id, themes, CodedComment.overall, *by_group)
    )
    top_from = _top_box()
    totals: dict[str | None, _Tally] = defaultdict(_Tally)
    by_theme: dict[str | None, dict[str, _Tally]] = defaultdict(lambda: defaultdict(_Tally))
    uncoded: dict[str | None, int] = defaultdict(int)
    for row in db.session.execute(statement):
        if not _kept(row[3] if by_group else None, scope):
            continue
        program, codes, overall, n = row[0], json.loads(row[1]), row[2], row[-1]
        for key in (program, None):
            totals[key].add(overall, n, top_from)
            uncoded[key] += 0 if codes else n
            for theme in codes:
                by_theme[key][theme].add(overall, n, top_from)
    return totals, by_theme, uncoded


def _ranked_rows(scope: Scope, *, coded: bool, per_program: int, overall: int) -> list[Any]:
    """Comments in scope, coded or not, at most `per_program` per program and `overall` in the
    whole scope by the window order (coded: the shortest comments of five words or more first,
    per program, theme list and language, what the examples are chosen from; uncoded: by
    answer id, a fixed sample the same every time)."""
    themes = _themes_text()
    words = func.length(CodedComment.scrubbed) - func.length(
        func.replace(CodedComment.scrubbed, " ", "")
    )
    if coded:
        partition = [CodedComment.program_id, themes, CodedComment.language]
        order = [
            case((words >= 4, 0), else_=1),
            func.length(CodedComment.scrubbed),
            CodedComment.scrubbed,
        ]
    else:
        partition, order = [CodedComment.program_id], [CodedComment.answer_id]
    if scope.groups:  # filtered in Python: rank within each client group
        partition.append(CodedComment.client_group)
    inner = (
        select(
            CodedComment.answer_id,
            CodedComment.program_id,
            themes.label("themes"),
            CodedComment.language,
            CodedComment.scrubbed,
            CodedComment.client_group,
            func.row_number().over(partition_by=partition, order_by=order).label("in_program"),
            func.row_number()
            .over(partition_by=partition[1:] or None, order_by=order)
            .label("in_scope"),
        )
        .where(*_in_scope(scope), (themes != "[]") if coded else (themes == "[]"))
        .subquery()
    )
    statement = (
        select(inner)
        .where(or_(inner.c.in_program <= per_program, inner.c.in_scope <= overall))
        .order_by(inner.c.answer_id)
    )
    return [row for row in db.session.execute(statement) if _kept(row.client_group, scope)]


@dataclass(frozen=True)
class Digest:
    """What a report reads from the comments of a scope, per program id (None: the whole
    scope) and report language."""

    summaries: Mapping[tuple[str | None, str], list[ThemeSummary]]
    emerging: Mapping[tuple[str | None, str], list[Emerging]]


def digest(scope: Scope, languages: Sequence[str], *, limit: int = 10) -> Digest:
    """summarise() and emerging() for the whole scope and each of its programs, in each
    language, from three statements (counts in SQL; only the rows examples and emerging
    themes are chosen from are read)."""
    totals, by_theme, uncoded = _tallies(scope)
    candidates = _ranked_rows(scope, coded=True, per_program=CANDIDATES, overall=CANDIDATES)
    sample = _ranked_rows(scope, coded=False, per_program=SAMPLE, overall=SAMPLE)
    summaries: dict[tuple[str | None, str], list[ThemeSummary]] = {}
    found: dict[tuple[str | None, str], list[Emerging]] = {}
    for key in totals:
        mine = [row for row in candidates if key is None or row.program_id == key]
        ranked = sorted(
            by_theme[key].items(),
            key=lambda item: (-item[1].count, -_dissatisfied(item[1]), item[0]),
        )[:limit]
        for language in languages:
            summaries[(key, language)] = [
                ThemeSummary(
                    code=theme,
                    count=tally.count,
                    share=tally.count / totals[key].count,
                    dissatisfied_share=tally.dissatisfied / tally.rated if tally.rated else None,
                    mean_overall=tally.overall_sum / tally.rated if tally.rated else None,
                    examples=_examples(
                        [row for row in mine if theme in json.loads(row.themes)], language
                    ),
                )
                for theme, tally in ranked
            ]
        # By answer id, the first SAMPLE of the scope (or program) are all among those read.
        texts = [row for row in sample if key is None or row.program_id == key][:SAMPLE]
        scale = uncoded[key] / len(texts) if texts else 0.0
        clusters = discover([row.scrubbed for row in texts])
        for language in languages:
            found[(key, language)] = [
                Emerging(
                    terms=cluster.terms,
                    count=round(len(cluster.members) * scale),
                    examples=_examples([texts[i] for i in cluster.members], language),
                    estimated=len(texts) < uncoded[key],
                )
                for cluster in clusters
            ]
    for language in languages:
        summaries.setdefault((None, language), [])
        found.setdefault((None, language), [])
    return Digest(summaries, found)


def _dissatisfied(tally: _Tally) -> float:
    return tally.dissatisfied / tally.rated if tally.rated else 0.0


def summarise(scope: Scope, language: str, *, limit: int = 10) -> list[ThemeSummary]:
    """Themes of the comments in scope, most frequent first, then most dissatisfied."""
    return digest(scope, [language], limit=limit).summaries[(None, language)]


def emerging(scope: Scope, language: str) -> list[Emerging]:
    """Clusters of the comments in scope that no taxonomy theme caught, largest first (from
    a fixed sample of SAMPLE of them when there are more: see digest)."""
    return digest(scope, [language], limit=0).emerging[(None, language)]
