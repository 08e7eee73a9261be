"""`feedback check-config`: is this environment safe and complete enough to serve clients?

Each check gives a finding: OK, WARN (works, but say why it is a poor choice) or FAIL (refused:
the platform would be unsafe or would not work). Outside production (development, testing) the
embedded defaults are fine and only reachability can fail. Nothing here changes anything.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from feedback.config import (
    DEV_SECRET,
    ConfigError,
    data_encryption_keys,
    from_environment,
    is_local,
)

OK, WARN, FAIL = "OK", "WARN", "FAIL"
#: Seconds to wait for the database or the broker before calling it unreachable.
CONNECT_TIMEOUT = 3
MIN_SECRET_LENGTH = 32
KNOWN_ENVIRONMENTS = frozenset({"development", "testing", "production"})


@dataclass(frozen=True)
class Finding:
    level: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.level:<4}  {self.subject}: {self.message}"


def failed(findings: list[Finding]) -> bool:
    return any(finding.level == FAIL for finding in findings)


def check_configuration(
    instance_path: str,
    env: Mapping[str, str] | None = None,
    *,
    app_factory: Callable[[], Any] | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> list[Finding]:
    """Every finding about the configuration in `env` (the process's environment by default);
    with `app_factory`, also whether the app builds with it (channels and their settings)."""
    env = dict(os.environ if env is None else env)
    feedback_env = env.get("FEEDBACK_ENV", "development")
    production = not is_local(feedback_env)
    findings = list(_environment(feedback_env))
    findings += _data_keys(env, feedback_env)
    if any(f.subject == "DATA_ENCRYPTION_KEYS" and f.level == FAIL for f in findings):
        # Said once above; a stand-in lets every other problem be reported at once.
        env["DATA_ENCRYPTION_KEYS"] = "A" * 43 + "="
    try:
        config = from_environment(instance_path, env)
    except ConfigError as exc:
        findings.append(Finding(FAIL, "configuration", str(exc)))
        # Carry on with a stand-in secret so that every other problem is reported at once.
        config = from_environment(instance_path, {**env, "SECRET_KEY": "stand-in"})
    else:
        findings += _secrets(config, production)
    findings += _public_url(config["PUBLIC_BASE_URL"], production)
    findings += _outbox(config["OUTBOX_DIR"], production)
    findings += _database(config["SQLALCHEMY_DATABASE_URI"], production, connect_timeout)
    findings += _broker(config["CELERY"], production, connect_timeout)
    if app_factory is not None and not failed(findings):
        findings += _app(app_factory)
    return findings


def _environment(feedback_env: str) -> Iterator[Finding]:
    if feedback_env not in KNOWN_ENVIRONMENTS:
        yield Finding(
            WARN,
            "FEEDBACK_ENV",
            f"{feedback_env!r} is not development, testing or production; it is held to the "
            "production rules",
        )
    elif is_local(feedback_env):
        yield Finding(
            WARN,
            "FEEDBACK_ENV",
            f"{feedback_env}: development shortcuts are on (well-known secrets, the dev outbox); "
            "set FEEDBACK_ENV=production to serve clients",
        )
    else:
        yield Finding(OK, "FEEDBACK_ENV", "production")


def _data_keys(env: Mapping[str, str], feedback_env: str) -> Iterator[Finding]:
    try:
        keys = data_encryption_keys(dict(env), feedback_env, "stand-in")
    except ConfigError as exc:
        yield Finding(FAIL, "DATA_ENCRYPTION_KEYS", str(exc))
        return
    if is_local(feedback_env) and not env.get("DATA_ENCRYPTION_KEYS"):
        yield Finding(OK, "DATA_ENCRYPTION_KEYS", "derived from SECRET_KEY (outside production)")
    else:
        yield Finding(OK, "DATA_ENCRYPTION_KEYS", f"{len(keys)} key(s); the first encrypts")


def _secrets(config: Mapping[str, Any], production: bool) -> Iterator[Finding]:
    for key in ("SECRET_KEY", "CLIENT_HASH_KEY"):
        value = config[key]
        if not production:
            yield Finding(OK, key, "set (any value will do outside production)")
        elif value == DEV_SECRET:
            yield Finding(FAIL, key, "is the development value, known to everyone: set a secret")
        elif len(value) < MIN_SECRET_LENGTH:
            yield Finding(
                WARN,
                key,
                f"only {len(value)} characters: use at least {MIN_SECRET_LENGTH} random ones, "
                'e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"',
            )
        else:
            yield Finding(OK, key, f"set ({len(value)} characters)")


def _public_url(url: str, production: bool) -> Iterator[Finding]:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        yield Finding(FAIL, "PUBLIC_BASE_URL", f"{url!r} is not an http(s) address")
    elif production and parts.scheme != "https":
        yield Finding(
            FAIL,
            "PUBLIC_BASE_URL",
            f"{url} is plain http: survey links carry one-time tokens, staff cookies are Secure "
            "and webhook signatures cover this address; use https",
        )
    elif production and parts.hostname in {"localhost", "127.0.0.1", "::1"}:
        yield Finding(FAIL, "PUBLIC_BASE_URL", f"{url} cannot be reached by clients")
    else:
        yield Finding(OK, "PUBLIC_BASE_URL", url)


def _outbox(folder: str, production: bool) -> Iterator[Finding]:
    if production and folder:
        yield Finding(
            FAIL,
            "OUTBOX_DIR",
            "set: the development outbox (and its /dev pages) is for development only; unset it",
        )
    elif folder:
        yield Finding(OK, "OUTBOX_DIR", f"development outbox in {folder}")
    else:
        yield Finding(OK, "OUTBOX_DIR", "not set: no development outbox")


def _database(url: str, production: bool, timeout: float) -> Iterator[Finding]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        parsed = make_url(url)
    except Exception as exc:  # any parse error is the operator's to fix
        yield Finding(FAIL, "DATABASE_URL", f"not a database URL: {exc}")
        return
    shown = parsed.render_as_string(hide_password=True)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite and production:
        yield Finding(
            FAIL,
            "DATABASE_URL",
            f"{shown} is SQLite, the embedded development database: one file on one machine and "
            "one writer at a time, so web threads and workers queue on its lock; use PostgreSQL",
        )
    if sqlite and parsed.database and not Path(parsed.database).exists():
        yield Finding(WARN, "database", f"{shown} does not exist yet: run `feedback db upgrade`")
        return
    connect_args = {"connect_timeout": max(int(timeout), 1)} if not sqlite else {}
    engine = create_engine(parsed, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            yield Finding(OK, "database", f"{shown} answers")
            yield _schema(conn)
    except Exception as exc:  # the driver's own error says why (refused, auth, unknown host)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        yield Finding(FAIL, "database", f"{shown} is unreachable: {reason}")
    finally:
        engine.dispose()


def _schema(conn: Any) -> Finding:
    """Whether `feedback db upgrade` has brought the schema to this code's revision."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from feedback import migrations_dir

    expected = set(ScriptDirectory(str(migrations_dir())).get_heads())
    current = set(MigrationContext.configure(conn).get_current_heads())
    if current == expected:
        return Finding(OK, "schema", f"at {', '.join(sorted(current))}")
    found = ", ".join(sorted(current)) or "no schema"
    return Finding(
        WARN,
        "schema",
        f"{found}, this code expects {', '.join(sorted(expected))}: run `feedback db upgrade`",
    )


def _broker(celery: Mapping[str, Any], production: bool, timeout: float) -> Iterator[Finding]:
    from kombu import Connection
    from kombu.utils.url import maybe_sanitize_url

    url = celery["broker_url"]
    transport = url.partition("://")[0]
    shown = maybe_sanitize_url(url)  # hides the password
    if production and transport in {"filesystem", "memory"}:
        yield Finding(
            FAIL,
            "CELERY_BROKER_URL",
            f"{shown} is the embedded development broker: it works only when the web process "
            "and every worker share one folder on one machine; use Redis or RabbitMQ",
        )
        return
    if production and transport.startswith("sqla"):
        yield Finding(
            WARN,
            "CELERY_BROKER_URL",
            f"{shown} polls a database (about 110 tasks/s here); Redis or RabbitMQ are faster",
        )
    connection = Connection(
        url,
        connect_timeout=timeout,
        transport_options={**celery.get("broker_transport_options", {}), "max_retries": 0},
    )
    try:
        connection.ensure_connection(max_retries=1, timeout=timeout)
        yield Finding(OK, "broker", f"{shown} answers")
    except Exception as exc:  # kombu wraps the transport's error; its text says why
        yield Finding(FAIL, "broker", f"{shown} is unreachable: {exc}")
    finally:
        connection.release()


def _app(app_factory: Callable[[], Any]) -> Iterator[Finding]:
    try:
        app = app_factory()
    except Exception as exc:  # a plugin's own message (unknown channel, missing setting)
        yield Finding(FAIL, "app", f"does not start: {exc}")
        return
    channels = ", ".join(app.config["FEEDBACK_CHANNELS"]) or "none"
    yield Finding(OK, "app", f"starts with the channels {channels}")
