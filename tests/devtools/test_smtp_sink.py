"""The development SMTP sink: every message becomes one .eml file, written atomically."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from pathlib import Path

from feedback.devtools.smtp_sink import MESSAGE_NAME, new_message_name, start_sink
from tests.devtools.helpers import free_port, sample_message


def test_each_message_becomes_an_eml_file(tmp_path: Path) -> None:
    sink = start_sink("127.0.0.1", free_port(), tmp_path)
    try:
        with smtplib.SMTP(sink.hostname, sink.port) as smtp:
            smtp.send_message(sample_message("First"))
            smtp.send_message(sample_message("Second"))
    finally:
        sink.stop()

    files = sorted(tmp_path.iterdir())
    assert [MESSAGE_NAME.match(f.name) is not None for f in files] == [True, True]
    subjects = [message_from_bytes(f.read_bytes(), policy=policy.default)["Subject"] for f in files]
    assert subjects == ["First", "Second"]  # names sort by arrival


def test_names_sort_by_time_and_never_collide() -> None:
    names = {new_message_name() for _ in range(200)}
    assert len(names) == 200
    assert all(MESSAGE_NAME.match(name) for name in names)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def test_smtp_sink_command_runs_until_sigterm(tmp_path: Path) -> None:
    port = free_port()
    outbox = tmp_path / "outbox"
    env = {
        **os.environ,
        "FEEDBACK_ENV": "development",
        "OUTBOX_DIR": str(outbox),
        "SMTP_PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
        "BROKER_FOLDER": str(tmp_path / "broker"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "feedback:create_app", "smtp-sink"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_port(port, process)
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(sample_message("Through the command"))
        process.send_signal(signal.SIGTERM)
        out, _err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert f"127.0.0.1:{port}".encode() in out
    [stored] = outbox.iterdir()
    assert b"Subject: Through the command" in stored.read_bytes()


def test_smtp_sink_refuses_production(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FEEDBACK_ENV": "production",
        "SECRET_KEY": "x",
        "DATA_ENCRYPTION_KEYS": "A" * 43 + "=",
        "OUTBOX_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}",
        "BROKER_FOLDER": str(tmp_path / "broker"),
    }
    for command in ("smtp-sink", "dev"):
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "feedback:create_app", command],
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert result.returncode != 0
        assert b"development tool" in result.stderr
