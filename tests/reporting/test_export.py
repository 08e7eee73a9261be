"""The de-identified response-level export: its columns and values against the raw rows,
nothing personal in it, who may download it and about which programs, streaming, the CLI."""

from __future__ import annotations

import csv
import io
import types
from datetime import date

import pytest
from sqlalchemy import select

from feedback.contacts.models import ContactEvent
from feedback.extensions import db
from feedback.questionnaires.models import Question, QuestionnaireVersion
from feedback.reporting import export
from feedback.reporting.export import response_reference, stream_responses
from feedback.reporting.facts.read import Scope
from feedback.reporting.themes import store
from feedback.reporting.themes.models import CodedComment
from feedback.responses.models import Answer, Response
from feedback.security import client_hash
from tests.factories import make_questionnaire
from tests.governance.conftest import client_as
from tests.reporting.helpers import add_contact, at, rating

EMAIL = "jane.doe@example.org"
PHONE = "613-555-0199"
UCI = "1234-5678"


def add_version_2(world) -> QuestionnaireVersion:
    """Passport's second version: a new multiple choice first, "overall" and "comment" kept,
    a question of its own ("waited"), the others dropped."""
    questionnaire = world.version.questionnaire
    version = QuestionnaireVersion(questionnaire_id=questionnaire.id, number=2)
    db.session.add(version)
    db.session.flush()
    for position, (code, kind, options) in enumerate(
        [
            ("needs", "multiple_choice", ["forms", "status", "fees"]),
            ("overall", "rating", []),
            ("waited", "yes_no", []),
            ("comment", "free_text", []),
        ]
    ):
        db.session.add(
            Question(
                version_id=version.id,
                position=position,
                code=code,
                kind=kind,
                text_en=code,
                text_fr=code,
                options=[{"value": v, "en": v, "fr": v} for v in options],
            )
        )
    db.session.flush()
    db.session.refresh(version)
    return version


@pytest.fixture()
def answered(world):
    """Passport: a response to version 1 in French with a comment full of personal details,
    one to version 1 in English, one to version 2 (a multiple choice, chosen out of order);
    one outside the period, one partial; and one of citizenship's."""
    world.passport.reportable_attributes = ["region"]
    version = world.version
    first = add_contact(
        version,
        sent_at=at("2026-03-02 09:00"),
        completed_at=at("2026-03-02 23:59"),
        channel="sms",
        contact_type="visit",
        language="fr",
        answers={
            "overall": rating(2),
            "how": {"value_choice": "office"},
            "comment": {"value_text": f"Écrivez-moi à {EMAIL} ou au {PHONE}, client {UCI}."},
        },
    )
    first.event.attributes = {"region": "QC", "email": EMAIL, "office": "Gatineau"}
    first.email, first.phone = EMAIL, PHONE
    second = add_contact(
        version,
        sent_at=at("2026-03-05 09:00"),
        completed_at=at("2026-03-05 10:00"),
        answers={"overall": rating(5), "recommend": rating(9)},
    )
    second_version = add_version_2(world)
    third = add_contact(
        second_version,
        sent_at=at("2026-03-06 09:00"),
        completed_at=at("2026-03-06 10:00"),
        contact_type="=cmd",
        attributes={"region": "ON", "age_band": "35-54"},
        answers={"overall": rating(4), "waited": rating(0)},
    )
    needs = next(q for q in second_version.questions if q.code == "needs")
    for item, value in enumerate(["fees", "forms"]):
        db.session.add(
            Answer(
                response_id=response_of(third).id,
                question_id=needs.id,
                item=item,
                value_choice=value,
                answered_at=at("2026-03-06 10:00"),
            )
        )
    add_contact(  # before the period
        version,
        sent_at=at("2026-02-27 09:00"),
        completed_at=at("2026-02-28 23:00"),
        answers={"overall": rating(1)},
    )
    add_contact(version, sent_at=at("2026-03-03 09:00"), answers={"overall": rating(3)})
    other = make_questionnaire(world.citizenship)
    add_contact(
        other,
        sent_at=at("2026-03-04 09:00"),
        completed_at=at("2026-03-04 10:00"),
        attributes={"region": "BC"},
        answers={"overall": rating(4), "how": {"value_choice": "-online"}},
    )
    db.session.commit()
    return types.SimpleNamespace(first=first, second=second, third=third, citizenship=other)


MARCH = Scope(date(2026, 3, 1), date(2026, 3, 31))
#: The questions of the after-contact questionnaire (version 1), by position.
AFTER_CONTACT = ["overall", "recommend", "resolved", "how", "comment"]


def rows(chunks) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(chunks))))


def response_of(invitation) -> Response:
    return db.session.scalar(select(Response).filter_by(invitation_id=invitation.id))


def by_reference(found: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    references = [row["response"] for row in found]
    assert len(set(references)) == len(references)  # one row per response
    return {row["response"]: row for row in found}


def test_one_row_per_response_with_the_columns_and_values_of_the_raw_rows(world, answered):
    scope = Scope(MARCH.date_from, MARCH.date_to, frozenset({world.passport.id}))
    found = rows(stream_responses(scope))
    assert list(found[0]) == [
        "response",
        "completed_on",
        "program",
        "questionnaire_version",
        "channel",
        "contact_type",
        "language",
        "group:region",
        # version 1's questions by position, then version 2's new ones by position
        *AFTER_CONTACT,
        "needs",
        "waited",
    ]
    first, second, third = (
        response_of(answered.first),
        response_of(answered.second),
        response_of(answered.third),
    )
    # in the order of completion
    assert [row["response"] for row in found] == [
        response_reference(response.id) for response in (first, second, third)
    ]
    found = by_reference(found)
    mine = found[response_reference(first.id)]
    assert {key: mine[key] for key in list(mine)[1:8]} == {
        "completed_on": "2026-03-02",
        "program": "passport",
        "questionnaire_version": "1",
        "channel": "sms",
        "contact_type": "visit",
        "language": "fr",
        "group:region": "QC",
    }
    assert [mine[code] for code in AFTER_CONTACT[:4]] == ["2", "", "", "office"]
    assert mine["needs"] == mine["waited"] == ""
    assert mine["comment"].startswith("Écrivez-moi à") and "[courriel]" in mine["comment"]
    theirs = found[response_reference(second.id)]
    assert (theirs["overall"], theirs["recommend"], theirs["comment"]) == ("5", "9", "")
    assert (theirs["group:region"], theirs["language"]) == ("", "en")
    later = found[response_reference(third.id)]
    assert later["questionnaire_version"] == "2"
    assert later["contact_type"] == "'=cmd"  # never a spreadsheet formula
    # the options chosen in the question's order, whatever the order of the answers
    assert (later["needs"], later["overall"], later["waited"]) == ("forms;fees", "4", "0")
    assert later["group:region"] == "ON" and later["how"] == later["recommend"] == ""


def test_programs_bring_their_own_columns(world, answered):
    world.citizenship.reportable_attributes = ["age_band", "region"]
    db.session.commit()
    found = rows(stream_responses(MARCH))
    # groups: their union by name; questions: by program code (citizenship first), version,
    # position, a code keeping its first place
    assert list(found[0])[7:] == [
        "group:age_band",
        "group:region",
        *AFTER_CONTACT,
        "needs",
        "waited",
    ]
    assert [row["program"] for row in found] == ["passport", "citizenship", "passport", "passport"]
    theirs = found[1]
    assert (theirs["group:region"], theirs["group:age_band"]) == ("BC", "")
    assert (theirs["overall"], theirs["how"]) == ("4", "'-online")
    # passport does not report age bands: empty even where its event gives one
    assert {row["group:age_band"] for row in found if row["program"] == "passport"} == {""}


def test_a_comment_already_coded_is_exported_as_the_coding_scrubbed_it(world, answered):
    store.code_new()
    coded = db.session.scalar(select(CodedComment))
    coded.scrubbed = "Scrubbed by the coding"
    db.session.commit()
    found = by_reference(rows(stream_responses(MARCH)))
    first = found[response_reference(response_of(answered.first).id)]
    assert first["comment"] == "Scrubbed by the coding"


def test_nothing_personal_leaves(world, answered):
    text = "".join(stream_responses(MARCH))
    first = response_of(answered.first)
    event = db.session.get(ContactEvent, answered.first.event_id)
    for secret in (
        EMAIL,
        PHONE,
        UCI,
        "Gatineau",  # an attribute the program does not declare reportable
        event.client_hash,
        event.external_id,
        client_hash(event.external_id),
        first.id,
        answered.first.id,
        "23:59",
        "T09:00",
    ):
        assert secret not in text, secret


def test_the_reference_is_stable_and_keyed(app, world, answered, monkeypatch):
    first = response_of(answered.first)
    reference = response_reference(first.id)
    assert reference == response_reference(first.id) and len(reference) == 16
    monkeypatch.setitem(app.config, "CLIENT_HASH_KEY", "another key")
    assert response_reference(first.id) != reference


def test_filters_of_the_scope_apply(world, answered):
    only_sms = Scope(MARCH.date_from, MARCH.date_to, channels=frozenset({"sms"}))
    assert {row["channel"] for row in rows(stream_responses(only_sms))} == {"sms"}
    ontario = Scope(MARCH.date_from, MARCH.date_to, groups={"region": frozenset({"ON", "BC"})})
    # citizenship's event says BC, but citizenship does not report regions
    assert [row["response"] for row in rows(stream_responses(ontario))] == [
        response_reference(response_of(answered.third).id)
    ]
    french = Scope(MARCH.date_from, MARCH.date_to, languages=frozenset({"fr"}))
    assert [row["language"] for row in rows(stream_responses(french))] == ["fr"]
    visits = Scope(MARCH.date_from, MARCH.date_to, contact_types=frozenset({"visit"}))
    assert [row["contact_type"] for row in rows(stream_responses(visits))] == ["visit"]
    every = rows(stream_responses(MARCH))
    assert {row["program"] for row in every} == {"passport", "citizenship"}
    assert rows(stream_responses(Scope(MARCH.date_from, MARCH.date_to, frozenset()))) == []


def test_the_query_reads_through_a_server_side_cursor(world, answered, monkeypatch):
    seen = []
    original = export._query

    def spy(*args):
        query = original(*args)
        seen.append(query.get_execution_options())
        return query

    monkeypatch.setattr(export, "_query", spy)
    lines = stream_responses(MARCH)
    assert isinstance(lines, types.GeneratorType)
    assert seen == []  # nothing read before the first line is asked for
    list(lines)
    assert seen == [{"yield_per": export.BATCH}]


def test_rows_leave_in_chunks_of_a_batch(world, answered, monkeypatch):
    whole = "".join(stream_responses(MARCH))
    monkeypatch.setattr(export, "BATCH", 2)
    counts = []
    chunks = list(stream_responses(MARCH, written=counts.append))
    assert "".join(chunks) == whole
    assert counts == [2, 2] and len(chunks) == 3  # the header, then a chunk per batch
    assert [len(rows([chunks[0], chunk])) for chunk in chunks[1:]] == counts


URL = "/exports/responses?from=2026-03-01&to=2026-03-31"


def test_an_analyst_downloads_their_programs_only(app, world, answered):
    response = client_as(app, world.analyst_in).get(URL)
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and response.is_streamed
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="responses-2026-03-01-2026-03-31.csv"'
    assert {row["program"] for row in rows([response.text])} == {"passport"}
    outside = client_as(app, world.analyst_out).get(URL + "&program=passport")
    assert outside.status_code == 400 and "Choose among your programs." in outside.text
    theirs = client_as(app, world.analyst_out).get(URL)
    assert {row["program"] for row in rows([theirs.text])} == {"citizenship"}
    admin = client_as(app, world.admin).get(URL + "&program=citizenship")
    assert {row["program"] for row in rows([admin.text])} == {"citizenship"}


def test_program_managers_may_not_export(app, world, answered):
    assert client_as(app, world.manager).get(URL).status_code == 403
    assert client_as(app, None).get(URL).status_code == 302


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-03-01", "Enter the last day of the period."),
        ("from=yesterday&to=2026-03-31", "Not a valid date value."),
        (
            "from=2026-03-31&to=2026-03-01",
            "The last day must be the same as or after the first day.",
        ),
    ],
)
def test_bad_dates_answer_400_with_a_clear_message(app, world, query, message):
    response = client_as(app, world.analyst_in).get(f"/exports/responses?{query}")
    assert response.status_code == 400
    assert message in response.text


def test_the_page_without_a_period_offers_the_form(app, world):
    page = client_as(app, world.analyst_in).get("/exports/responses?lang=fr")
    assert page.status_code == 200 and 'name="from"' in page.text and 'lang="fr"' in page.text


def test_the_cli_writes_the_file(app, world, answered, tmp_path):
    out = tmp_path / "responses.csv"
    args = ["export", "responses", "--from", "2026-03-01", "--to", "2026-03-31"]
    result = app.test_cli_runner().invoke(args=[*args, "--program", "passport", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = rows([out.read_text(encoding="utf-8")])
    assert len(written) == 3 and {row["program"] for row in written} == {"passport"}
    assert f"wrote 3 responses to {out}" in result.output
    unknown = app.test_cli_runner().invoke(args=[*args, "--program", "nope", "--out", str(out)])
    assert unknown.exit_code == 2 and "no program has the code nope" in unknown.output


def test_separators_typed_in_a_comment_do_not_break_the_row(world, answered):
    add_contact(
        world.version,
        sent_at=at("2026-03-07 09:00"),
        completed_at=at("2026-03-07 10:00"),
        answers={"comment": {"value_text": "slow\x1fvery\x1eslow"}, "overall": rating(1)},
    )
    db.session.commit()
    last = rows(stream_responses(MARCH))[-1]
    assert (last["completed_on"], last["overall"]) == ("2026-03-07", "1")
    assert last["comment"] == "slow\x1fvery slow"
