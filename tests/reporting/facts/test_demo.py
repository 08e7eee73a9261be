"""The demo data feeds every part of the report: groups, drivers, effort and comments."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from feedback.db_types import utcnow
from feedback.devtools.demo import seed_demo
from feedback.questionnaires.topics import DRIVERS
from feedback.reporting.facts.read import Scope, pair_counts, reportable_groups, value_counts
from feedback.responses.models import Answer


def test_the_demo_has_groups_drivers_and_comments(app, db, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    seed_demo(contacts=300)
    today = utcnow().date()
    scope = Scope(today - timedelta(days=100), today)
    seen = reportable_groups(scope)
    assert set(seen) == {"age_band", "region"} and len(seen["region"]) > 3
    topics = {r.topic for r in value_counts(scope, [])}
    assert {"overall", "effort", *DRIVERS} - {"need_met"} <= topics
    pairs = pair_counts(scope, ["program"])
    assert {("overall", "timeliness"), ("ease", "overall")} <= {
        (p.topic_a, p.topic_b) for p in pairs
    }
    comments = db.session.scalar(select(func.count()).where(Answer.value_text.is_not(None)))
    assert comments > 50
