"""Which answers feed satisfaction is chosen per questionnaire version, so totals add up."""

from __future__ import annotations

from datetime import date

from feedback.questionnaires.library import template
from feedback.questionnaires.transfer import import_document
from feedback.reporting.compose import ReportOptions, build
from feedback.reporting.compose.prose import say
from feedback.reporting.facts.build import refresh
from tests.factories import make_program, make_questionnaire
from tests.reporting.helpers import add_contact, at, rating


def test_a_program_with_and_without_an_overall_question_adds_up(db):
    program = make_program()
    with_overall = import_document(
        template("public-service-experience") | {"program": program.code, "code": "pse"},
        publish=True,
    )
    without = make_questionnaire(program)  # its one rating question has no topic
    for n in range(12):
        # Satisfied overall, unhappy with the ease of the service: a driver is not satisfaction.
        add_contact(
            with_overall,
            sent_at=at("2026-07-06 10:00"),
            completed_at=at("2026-07-06 11:00"),
            answers={"overall": rating(5), "ease": rating(1)},
            channel="email",
        )
        add_contact(
            without,
            sent_at=at("2026-07-07 10:00"),
            completed_at=at("2026-07-07 11:00"),
            answers={"overall": rating(2 if n < 6 else 4)},
            channel="sms",
        )
    db.session.commit()
    refresh(date(2026, 7, 1), date(2026, 7, 31))

    document = build(ReportOptions(date(2026, 7, 1), date(2026, 7, 31), minimum=1), "en")
    tables = {table.id: table for table in document.tables()}
    satisfied = tables["by_program"].columns.index(say("col_satisfaction", "en"))
    base = tables["by_program"].columns.index(say("col_n", "en"))
    program_row = tables["by_program"].rows[0]
    assert program_row[base].number == 24
    assert program_row[satisfied].number == 75  # 12 + 6 satisfied of 24
    channels = tables["by_channel"]
    by_channel = {row[0].text: row for row in channels.rows}
    column = channels.columns.index(say("col_n", "en"))
    assert by_channel["Email"][column].number + by_channel["Text message"][column].number == 24
    assert by_channel["Email"][channels.columns.index(say("col_satisfaction", "en"))].number == 100
