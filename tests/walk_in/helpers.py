"""A walk-in point of passport, and the rule that surveys its visits."""

from __future__ import annotations

from typing import Any

from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.programs.models import Program
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.walk_in.models import WalkInPoint
from feedback.walk_in.services import PointSpec, create_point
from tests.factories import make_rule


def walk_in_point(program: Program, office_code: str = "ottawa-downtown") -> WalkInPoint:
    point = create_point(
        PointSpec(
            program=program,
            office_code=office_code,
            name_en="Ottawa downtown passport office",
            name_fr="Bureau des passeports du centre-ville d’Ottawa",
        )
    )
    db.session.commit()
    return point


def walk_in_rule(
    program: Program, version: QuestionnaireVersion, **overrides: Any
) -> DistributionRule:
    """The program's rule for walk-in visits: the walk_in channel, and no fatigue limit (every
    visit is a client of its own anyway)."""
    rule = make_rule(program, version, channel="walk_in", contact_type="walk_in", **overrides)
    db.session.commit()
    return rule
