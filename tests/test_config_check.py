"""`feedback check-config`: an unsafe production configuration is refused, line by line."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedback.cli import check_config_command
from feedback.config_check import FAIL, OK, WARN, check_configuration, failed


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _by_subject(findings: list) -> dict[str, tuple[str, str]]:
    return {f.subject: (f.level, f.message) for f in findings}


def test_an_unsafe_production_configuration_is_refused_with_every_reason(tmp_path: Path) -> None:
    port = _closed_port()
    findings = check_configuration(
        str(tmp_path),
        {
            "FEEDBACK_ENV": "production",
            "PUBLIC_BASE_URL": "http://feedback.example.ca",
            "OUTBOX_DIR": str(tmp_path / "outbox"),
            "DATABASE_URL": f"postgresql+psycopg://app:hunter2@127.0.0.1:{port}/feedback",
            "CELERY_BROKER_URL": f"redis://:hunter2@127.0.0.1:{port}/0",
        },
        connect_timeout=1,
    )
    found = _by_subject(findings)
    assert found["configuration"] == (FAIL, "SECRET_KEY must be set when FEEDBACK_ENV is not "
                                            "'development'")  # fmt: skip
    assert found["PUBLIC_BASE_URL"][0] == FAIL and "use https" in found["PUBLIC_BASE_URL"][1]
    assert found["OUTBOX_DIR"][0] == FAIL
    assert found["database"][0] == FAIL and "unreachable" in found["database"][1]
    assert found["broker"][0] == FAIL and "unreachable" in found["broker"][1]
    assert "hunter2" not in "\n".join(str(f) for f in findings)
    assert failed(findings)


def test_development_secret_sqlite_and_the_filesystem_broker_are_refused_in_production(
    tmp_path: Path,
) -> None:
    findings = check_configuration(
        str(tmp_path),
        {
            "FEEDBACK_ENV": "production",
            "SECRET_KEY": "dev-only-not-secret",
            "CLIENT_HASH_KEY": "k" * 40,
            "PUBLIC_BASE_URL": "https://feedback.example.ca",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.db'}",
        },
    )
    found = _by_subject(findings)
    assert found["SECRET_KEY"][0] == FAIL and "development value" in found["SECRET_KEY"][1]
    assert found["CLIENT_HASH_KEY"][0] == OK
    assert found["DATABASE_URL"][0] == FAIL and "PostgreSQL" in found["DATABASE_URL"][1]
    assert found["CELERY_BROKER_URL"][0] == FAIL and "Redis" in found["CELERY_BROKER_URL"][1]


def test_the_embedded_defaults_pass_in_development(tmp_path: Path, app) -> None:
    findings = check_configuration(
        str(tmp_path),
        {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]},
        app_factory=lambda: app,
    )
    found = _by_subject(findings)
    assert not failed(findings), "\n".join(map(str, findings))
    assert found["FEEDBACK_ENV"][0] == WARN  # development shortcuts are on, and it says so
    assert found["database"][0] == OK and found["schema"][0] == OK
    assert found["broker"][0] == OK and found["app"][0] == OK


@pytest.mark.parametrize(
    ("env", "code"),
    [
        ({"FEEDBACK_ENV": "production"}, 1),
        ({"FEEDBACK_ENV": "development"}, 0),
    ],
)
def test_the_command_exits_non_zero_on_a_refusal(
    env: dict[str, str], code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BROKER_FOLDER", str(tmp_path / "broker"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'feedback.db'}")
    result = CliRunner().invoke(check_config_command, ["--skip-app"], env=env)
    assert result.exit_code == code, result.output
    if code:
        assert "FAIL  configuration: SECRET_KEY must be set" in result.output
        assert "the configuration is refused" in result.output
    else:
        assert "configuration accepted" in result.output
