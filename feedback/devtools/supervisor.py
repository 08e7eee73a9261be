"""`feedback dev`: the SMTP sink, the Celery worker (with beat) and the web server, together.

Each child runs in its own session (process group), so a Ctrl-C reaches only this supervisor,
which then stops every group in order, including grandchildren such as the embedded beat.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path
from types import FrameType

import click
from flask import Flask

STOP_GRACE_SECONDS = 15
READY_TIMEOUT_SECONDS = 60


@dataclass
class Child:
    name: str
    args: list[str]
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self, env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            self.args, cwd=self.cwd, env=dict(env), start_new_session=True
        )

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)  # the child leads its own group


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def worker_command(loglevel: str, *options: str) -> list[str]:
    """A Celery worker with embedded beat and one process: what the embedded set-up runs."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "feedback.worker",
        "worker",
        "-B",
        "--pool=solo",
        f"--loglevel={loglevel}",
        *options,
    ]


def plan_children(app: Flask, host: str, port: int) -> list[Child]:
    cli = [sys.executable, "-m", "flask", "--app", "feedback:create_app"]
    children = []
    if wants_sink(app):
        children.append(Child("smtp-sink", [*cli, "smtp-sink"]))
    children.append(
        # Task chatter off; feedback's own logs stay.
        Child("worker", worker_command("WARNING"))
    )
    children.append(
        Child(
            "web",
            [
                *cli,
                "run",
                "--host",
                host,
                "--port",
                str(port),
                "--with-threads",
                "--no-reload",
                "--no-debugger",
            ],
        )
    )
    return children


def smtp_address(environ: Mapping[str, str] | None = None) -> tuple[str, int]:
    """Where the email plugin sends: its SMTP_HOST and SMTP_PORT settings, read from the
    environment as the plugin reads them, with the plugin's defaults (the sink's address)."""
    environ = os.environ if environ is None else environ
    return environ.get("SMTP_HOST") or "127.0.0.1", int(environ.get("SMTP_PORT") or 8025)


def wants_sink(app: Flask) -> bool:
    """Catch email locally unless SMTP_HOST points at a real server."""
    return bool(app.config.get("OUTBOX_DIR")) and is_loopback(smtp_address()[0])


def child_environment(host: str, port: int) -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # Links in the emails must point at this server unless the operator said otherwise.
    env.setdefault("PUBLIC_BASE_URL", f"http://{host}:{port}")
    return env


def accepts_connections(host: str, port: int) -> bool:
    """The servers listen only once their app is built, so a connection means ready."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def banner(app: Flask, base_url: str, sink: bool) -> str:
    lines = [f"feedback is running at {base_url}/"]
    smtp_host, smtp_port = smtp_address()
    if sink:
        lines.append(
            f"Emails are caught by the SMTP sink on {smtp_host}:{smtp_port}; "
            f"read them at {base_url}/dev/outbox"
        )
    else:
        lines.append(f"Emails go to the SMTP server at {smtp_host}.")
    credentials = Path(app.instance_path) / "demo-credentials.txt"
    if credentials.is_file():
        lines.append(credentials.read_text(encoding="utf-8").rstrip())
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def run(app: Flask, host: str, port: int) -> int:
    """Start the children, supervise them, stop them all; 1 if one of them died on its own."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, request_stop)

    children = plan_children(app, host, port)
    env = child_environment(host, port)
    sink = wants_sink(app)
    listeners = [("127.0.0.1" if host in {"0.0.0.0", ""} else host, port)]
    if sink:
        listeners.append(smtp_address())
    base_url = f"http://{host}:{port}"
    died: Child | None = None
    try:
        for child in children:
            child.start(env)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        announced = False
        while not stop.is_set():
            died = next((c for c in children if c.exit_code is not None), None)
            if died is not None:
                click.echo(
                    f"{died.name} exited with code {died.exit_code}; stopping the others", err=True
                )
                break
            if not announced and all(accepts_connections(*where) for where in listeners):
                click.echo(banner(app, base_url, sink))
                announced = True
            elif not announced and time.monotonic() > deadline:
                click.echo("the servers are still not listening; carrying on", err=True)
                deadline = float("inf")
            stop.wait(0.25 if not announced else 1.0)
    finally:
        stop_all(children)
    return 1 if died is not None else 0


def stop_all(children: list[Child]) -> None:
    """SIGTERM to every group (web first, sink last), then SIGKILL whatever is left."""
    running = [c for c in reversed(children) if c.process is not None]
    for child in running:
        child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in running:
        assert child.process is not None
        try:
            child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            click.echo(f"{child.name} did not stop in time; killing it", err=True)
            child.signal_group(signal.SIGKILL)
            child.process.wait()
