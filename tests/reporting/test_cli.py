"""`feedback report`, `feedback rollup` and `feedback seed-demo`."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from feedback.accounts.models import ApiKey, User
from feedback.accounts.services import authenticate_api_key, authenticate_user
from feedback.contacts.models import ContactEvent
from feedback.db_types import utcnow
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.reporting import stats
from feedback.reporting.models import FactInvitationDaily
from tests.factories import make_setup
from tests.reporting.helpers import add_contact, at, rating


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_report_refreshes_rollups_and_writes_the_pdf(app, db, tmp_path):
    _program, version, _rule = make_setup()
    add_contact(
        version,
        sent_at=at("2026-06-01 10:00"),
        completed_at=at("2026-06-01 12:00"),
        answers={"overall": rating(4)},
    )
    db.session.commit()
    out = tmp_path / "report.pdf"
    result = run(app, "report", "--from", "2026-01-01", "--to", "2026-12-31", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert db.session.scalar(select(FactInvitationDaily.sent)) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-12-31"], "Invalid value for '--from'"),
        (["--from", "2026-01-01", "--to", "31/12/2026"], "Invalid value for '--to'"),
        (["--from", "2026-12-31", "--to", "2026-01-01"], "must not be before --from"),
    ],
)
def test_report_rejects_bad_dates(app, db, tmp_path, args, message):
    out = tmp_path / "report.pdf"
    result = run(app, "report", *args, "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_report_rejects_a_path_it_cannot_write(app, db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run(
        app,
        "report",
        "--from",
        "2026-01-01",
        "--to",
        "2026-01-31",
        "--out",
        str(blocker / "report.pdf"),
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output
    result = run(
        app, "report", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "is a directory" in result.output


def test_rollup_command(app, db):
    _program, version, _rule = make_setup()
    add_contact(version, sent_at=at("2026-06-01 10:00"))
    db.session.commit()
    result = run(app, "rollup", "--from", "2026-06-01", "--to", "2026-06-02")
    assert result.exit_code == 0, result.output
    assert "1 invitation rows" in result.output
    assert run(app, "rollup", "--from", "2026-06-02", "--to", "2026-06-01").exit_code == 2


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

    today = utcnow().date()
    summary = stats.summary(today - timedelta(days=89), today)
    assert summary.overall.sent.value and summary.overall.sent.value > 200
    assert summary.overall.satisfaction.value is not None
    assert summary.overall.nps.value is not None
    assert any(point.satisfaction.value is not None for point in summary.trend)
