"""`feedback seed-demo`: idempotent, with credentials kept apart, and facts for the reports."""

from __future__ import annotations

import stat
from datetime import timedelta

from sqlalchemy import func, select

from feedback.accounts.models import ApiKey, User
from feedback.accounts.services import authenticate_api_key, authenticate_user
from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.reporting.facts.read import Scope, invitation_counts


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_seed_demo_is_idempotent_and_gives_figures(app, db, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    first = run(app, "seed-demo", "--contacts", "250")
    assert first.exit_code == 0, first.output
    assert "demo data created: 250 simulated contacts" in first.output
    credentials = tmp_path / "demo-credentials.txt"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    lines = dict(line.split(": ", 1) for line in credentials.read_text().splitlines()[1:])
    assert lines["Admin email"] in first.output and lines["Admin password"] in first.output
    assert authenticate_user(lines["Admin email"], lines["Admin password"]) is not None
    assert authenticate_api_key(lines["API key"]) is not None

    counts = {
        model: db.session.scalar(select(func.count()).select_from(model))
        for model in (ContactEvent, Invitation, User, ApiKey)
    }
    assert counts[ContactEvent] == counts[Invitation] == 250
    statuses = set(db.session.scalars(select(Invitation.status).distinct()))
    assert {
        InvitationStatus.COMPLETED,
        InvitationStatus.EXPIRED,
        InvitationStatus.OPENED,
        InvitationStatus.SENT,
    } <= statuses
    assert InvitationStatus.SCHEDULED not in statuses
    assert db.session.scalar(select(func.count()).where(Invitation.email.is_not(None))) == 0
    assert set(db.session.scalars(select(ContactEvent.language).distinct())) == {"en", "fr"}

    # The walk-throughs' short questionnaire is there too, for a phone rule.
    rule = run(
        app,
        "add-rule",
        "--program",
        "passport",
        "--questionnaire",
        "after-contact",
        "--contact-type",
        "walk_in",
        "--channel",
        "email",
    )
    assert rule.exit_code == 0, rule.output
    assert "'walk_in' contacts get 'after-contact' by email" in rule.output

    second = run(app, "seed-demo")
    assert second.exit_code == 0, second.output
    assert "demo data already present" in second.output
    assert lines["Admin password"] in second.output
    assert {
        model: db.session.scalar(select(func.count()).select_from(model)) for model in counts
    } == counts

    # Without the file, a second run issues new credentials and revokes the old key.
    credentials.unlink()
    third = run(app, "seed-demo")
    assert third.exit_code == 0 and credentials.exists()
    assert authenticate_api_key(lines["API key"]) is None
    assert db.session.scalar(select(func.count()).select_from(ContactEvent)) == 250

    # The facts are built: a report of the last 90 days has figures at once.
    today = utcnow().date()
    (total,) = invitation_counts(Scope(today - timedelta(days=89), today), by=[])
    assert total.sent > 200 and 0 < total.completed < total.reached <= total.sent
