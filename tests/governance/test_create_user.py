"""Creating staff accounts with their programs: the service and the `create-user` command."""

from __future__ import annotations

import pytest

from feedback.accounts.models import Role, User
from feedback.accounts.services import AccountError, create_user
from feedback.extensions import db
from tests.factories import make_program, make_setup


@pytest.fixture()
def programs(db):
    make_setup()
    make_program("citizenship")
    db.session.commit()


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["create-user", "--password", "pw-123456789", *args])


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def test_service_gives_the_programs(programs):
    analyst = create_user("a@example.org", "pw", Role.ANALYST, programs=["passport", "citizenship"])
    assert [p.code for p in analyst.programs] == ["citizenship", "passport"]


def test_service_refuses_unknown_codes_and_no_program(programs):
    with pytest.raises(AccountError, match="unknown program code.*nope"):
        create_user("a@example.org", "pw", Role.ANALYST, programs=["passport", "nope"])
    with pytest.raises(AccountError, match="needs at least one program"):
        create_user("m@example.org", "pw", Role.PROGRAM_MANAGER, programs=[])


def test_service_without_programs_keeps_working_for_existing_callers(programs):
    assert create_user("a@example.org", "pw").programs == []
    assert create_user("b@example.org", "pw", Role.ADMIN, programs=["nope"]).programs == []


def test_cli_creates_a_program_manager_with_programs(app, programs):
    result = run(
        app,
        "--email",
        "pm@example.org",
        "--role",
        "program_manager",
        "--program",
        "passport",
        "--program",
        "citizenship",
    )
    assert result.exit_code == 0, result.output
    assert "created program_manager pm@example.org" in result.output
    created = user("pm@example.org")
    assert created.role is Role.PROGRAM_MANAGER
    assert [p.code for p in created.programs] == ["citizenship", "passport"]


@pytest.mark.parametrize("role", ["analyst", "program_manager"])
def test_cli_requires_a_program_except_for_admins(app, programs, role):
    result = run(app, "--email", "a@example.org", "--role", role)
    assert result.exit_code == 2
    assert "'--program'" in result.output and "needs at least one program" in result.output
    assert user("a@example.org") is None


def test_cli_refuses_an_unknown_program(app, programs):
    result = run(app, "--email", "a@example.org", "--program", "passport", "--program", "nope")
    assert result.exit_code == 2
    assert "unknown program code(s): nope" in result.output
    assert user("a@example.org") is None


def test_cli_ignores_programs_for_an_admin_with_a_note(app, programs):
    result = run(app, "--email", "admin@example.org", "--role", "admin", "--program", "passport")
    assert result.exit_code == 0, result.output
    assert "--program is ignored" in result.output
    assert user("admin@example.org").programs == []
