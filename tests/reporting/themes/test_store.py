"""Coded comments: incremental and idempotent coding, re-coding, ranking and emerging themes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from feedback.extensions import db as _db
from feedback.reporting.facts.read import Scope
from feedback.reporting.models import FactWatermark
from feedback.reporting.themes import store
from feedback.reporting.themes.models import CodedComment
from feedback.responses.models import Answer
from tests.factories import make_program, make_questionnaire, make_setup
from tests.reporting.helpers import add_contact, at, rating

NOW = at("2026-03-10 12:00")
MARCH = Scope(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture()
def version(db):
    program, version, _rule = make_setup()
    program.reportable_attributes = ["region"]
    _db.session.commit()
    return version


def comment(version, text, *, overall=None, completed="2026-03-09 10:00", **keys):
    answers = {"comment": {"value_text": text}}
    if overall is not None:
        answers["overall"] = rating(overall)
    return add_contact(
        version,
        sent_at=at("2026-03-01 09:00"),
        completed_at=at(completed) if completed else None,
        answers=answers,
        **keys,
    )


def rows():
    return _db.session.scalars(select(CodedComment).order_by(CodedComment.scrubbed)).all()


def test_completed_comments_are_scrubbed_coded_and_keyed(version):
    comment(
        version,
        "On hold for 2 hours, call me at 613-555-0142.",
        overall=2,
        language="fr",
        channel="sms",
        contact_type="counter",
        attributes={"region": "QC", "age": 44},
    )
    comment(version, "Not finished yet", completed=None)  # a partial response: not read
    comment(version, "   ", overall=5)  # nothing written
    _db.session.commit()

    assert store.code_new(NOW) == 1
    (row,) = rows()
    assert row.scrubbed == "On hold for 2 hours, call me at [téléphone]."
    assert row.themes == ["phone_access"]
    assert (row.overall, row.day, row.channel, row.contact_type, row.language) == (
        2,
        date(2026, 3, 9),
        "sms",
        "counter",
        "fr",
    )
    assert row.client_group == '{"region":"QC"}'  # only the reportable attribute


def test_re_running_never_makes_a_second_row(version):
    comment(version, "The fees are too high.", overall=1)
    _db.session.commit()
    assert store.code_new(NOW) == 1
    assert store.code_new(NOW) == 0
    _db.session.execute(delete(FactWatermark))  # even from scratch
    assert store.code_new(NOW + timedelta(minutes=1)) == 0
    assert _db.session.scalar(select(func.count()).select_from(CodedComment)) == 1


def test_only_responses_completed_since_the_watermark_less_its_margin_are_read(version):
    store.code_new(NOW)
    # Committed after the run, completed just before it (within the margin): seen.
    comment(version, "Late commit, fees too high.", completed="2026-03-10 11:58")
    # Completed an hour before the watermark: outside the window the next run reads.
    comment(version, "Old and never read.", completed="2026-03-10 11:00")
    _db.session.commit()
    assert store.code_new(NOW + timedelta(minutes=10)) == 1
    assert [row.scrubbed for row in rows()] == ["Late commit, fees too high."]
    assert _db.session.get(FactWatermark, store.WATERMARK).through == NOW + timedelta(minutes=10)


def test_recode_all_scrubs_and_codes_every_answer_again(version):
    comment(
        version, "The website gave me an error at login, email me at a.b@example.com", overall=3
    )
    comment(version, "Great service, thank you!", overall=5)
    _db.session.commit()
    store.code_new(NOW)
    for row in rows():
        row.themes, row.scrubbed = [], "stale"
    _db.session.commit()
    assert store.recode_all() == 2
    assert [(row.scrubbed, row.themes) for row in rows()] == [
        ("Great service, thank you!", ["praise"]),
        (
            "The website gave me an error at login, email me at [email]",
            ["website_online_account", "technical_errors"],
        ),
    ]


def test_a_coded_comment_goes_with_its_answer(version):
    comment(version, "Erase me: the fees.", overall=1)
    _db.session.commit()
    store.code_new(NOW)
    _db.session.execute(delete(Answer))
    _db.session.commit()
    assert rows() == []


@pytest.fixture()
def coded(version):
    """Processing time: 4 comments (1 dissatisfied of 4); fees: 3 (all dissatisfied); phone:
    3 (2 of 3); one comment no theme catches."""
    for text, overall, language in (
        ("It took six months to get my passport.", 5, "en"),
        ("Ça a pris six mois, délais ridicules.", 4, "fr"),
        ("Took months, still waiting.", 4, "en"),
        ("Processing took four months and the fees are too high for a family.", 2, "en"),
        ("Les frais sont trop chers.", 1, "fr"),
        ("The fee is far too high.", None, "en"),
        ("I was on hold for two hours and then the call was disconnected.", 1, "en"),
        ("En attente au téléphone pendant deux heures.", 2, "fr"),
        ("On hold again.", 5, "en"),
        ("The parking lot is tiny.", 3, "en"),
    ):
        comment(version, text, overall=overall, language=language)
    comment(version, "Hors période, trop cher.", overall=1, completed="2026-04-02 10:00")
    _db.session.commit()
    store.code_new(at("2026-04-30 00:00"))


def test_themes_are_ranked_by_frequency_then_dissatisfaction(coded):
    summaries = store.summarise(MARCH, "en")
    assert [(s.code, s.count) for s in summaries] == [
        ("processing_time", 4),
        ("fees", 3),
        ("phone_access", 3),
    ]
    processing, fees, phone = summaries
    assert processing.share == pytest.approx(4 / 10)
    assert processing.dissatisfied_share == pytest.approx(1 / 4)
    assert processing.mean_overall == pytest.approx(15 / 4)
    assert fees.dissatisfied_share == 1.0  # the comment without an overall answer is left out
    assert phone.dissatisfied_share == pytest.approx(2 / 3)
    # English first; whole sentences before fragments; shortest first.
    assert fees.examples == (
        "The fee is far too high.",
        "Processing took four months and the fees are too high for a family.",
        "Les frais sont trop chers.",
    )
    assert phone.examples[0] == "I was on hold for two hours and then the call was disconnected."


def test_french_reports_show_french_comments_first_and_scope_filters(coded):
    fees = store.summarise(MARCH, "fr", limit=2)[1]
    assert fees.examples[0] == "Les frais sont trop chers."
    french = Scope(MARCH.date_from, MARCH.date_to, languages=frozenset({"fr"}))
    assert [(s.code, s.count) for s in store.summarise(french, "fr")] == [
        ("fees", 1),
        ("phone_access", 1),
        ("processing_time", 1),
    ]
    assert (
        store.summarise(Scope(MARCH.date_from, MARCH.date_to, programs=frozenset({"none"})), "en")
        == []
    )


def test_groups_filter_by_the_client_group(version):
    comment(version, "The fees are too high.", overall=1, attributes={"region": "QC"})
    comment(version, "On hold forever.", overall=1, attributes={"region": "ON"})
    _db.session.commit()
    store.code_new(NOW)
    quebec = Scope(MARCH.date_from, MARCH.date_to, groups={"region": frozenset({"QC"})})
    assert [s.code for s in store.summarise(quebec, "en")] == ["fees"]


def test_emerging_themes_come_from_uncoded_comments(version):
    for text in (
        "The parking lot was full.",
        "No parking left, lot full.",
        "Parking lot full again.",
        "The fees are too high.",
    ):
        comment(version, text, overall=2)
    _db.session.commit()
    store.code_new(NOW)
    (cluster,) = store.emerging(MARCH, "en")
    assert cluster.count == 3
    assert "parking" in cluster.terms
    assert "The parking lot was full." in cluster.examples


def test_the_digest_of_a_scope_holds_each_program_and_language(coded, version):
    other = make_questionnaire(make_program("other"))
    comment(other, "The fees are too high and the wait was long.", overall=1)
    _db.session.commit()
    store.recode_all()  # completed before the watermark
    found = store.digest(MARCH, ["en", "fr"], limit=3)
    assert found.summaries[(None, "fr")] == store.summarise(MARCH, "fr", limit=3)
    programs = _db.session.scalars(select(CodedComment.program_id).distinct()).all()
    assert len(programs) == 2
    for program in programs:
        alone = Scope(MARCH.date_from, MARCH.date_to, programs=frozenset({program}))
        for language in ("en", "fr"):
            assert found.summaries[(program, language)] == store.summarise(alone, language, limit=3)
            assert found.emerging[(program, language)] == store.emerging(alone, language)


# Twelve comments that differ only by a number: one distinct point for k-means.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_emerging_themes_of_many_comments_are_estimated_from_a_fixed_sample(version, monkeypatch):
    for n in range(12):
        comment(version, f"The parking lot was full on day {n}.", overall=2)
    _db.session.commit()
    store.code_new(NOW)
    monkeypatch.setattr(store, "SAMPLE", 6)
    (cluster,) = store.emerging(MARCH, "en")
    assert cluster.estimated and cluster.count == 12  # 6 of 6 sampled, scaled by 12 / 6
    assert store.emerging(MARCH, "en") == [cluster]  # the same sample every time
    monkeypatch.setattr(store, "SAMPLE", 1000)
    (exact,) = store.emerging(MARCH, "en")
    assert not exact.estimated and exact.count == 12
