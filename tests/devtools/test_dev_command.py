"""`feedback dev` starts the sink, the worker (with beat) and the web server, and stops them all."""

from __future__ import annotations

import os
import signal
import smtplib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.devtools.helpers import free_port, sample_message

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc"),
]
FEEDBACK = str(Path(sys.executable).with_name("feedback"))


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[1])


def _alive(pid: int) -> bool:
    """True for a running process; a zombie waiting to be reaped counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def descendants(root: int) -> dict[int, str]:
    """Every process below `root`, with its command line."""
    parents = {
        int(p.name): _parent_pid(int(p.name)) for p in Path("/proc").iterdir() if p.name.isdigit()
    }
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in found:
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                except OSError:
                    continue  # a short-lived child (a shell, a probe) ended while we looked
                found[pid] = cmdline.decode(errors="replace")
                frontier.append(pid)
    return found


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


@pytest.fixture()
def dev_env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "FEEDBACK_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
        "BROKER_FOLDER": str(tmp_path / "broker"),
        "OUTBOX_DIR": str(tmp_path / "outbox"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),
    }
    env.pop("PUBLIC_BASE_URL", None)
    subprocess.run(
        [FEEDBACK, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120
    )
    return env


@pytest.fixture()
def dev(dev_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    log = (tmp_path / "dev.log").open("wb")
    process = subprocess.Popen(
        [FEEDBACK, "dev", "--host", "127.0.0.1", "--port", str(port)],
        env=dev_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while _get(f"{base}/dev/outbox") != 200:
            assert process.poll() is None, (tmp_path / "dev.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "dev.log").read_text()
            time.sleep(0.2)
        yield process, base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        log.close()


def _wait_for_banner(log: Path) -> str:
    deadline = time.monotonic() + 30
    while "Press Ctrl-C to stop." not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    return log.read_text()


def test_runs_everything_and_sigterm_stops_every_child(
    dev: tuple[subprocess.Popen[bytes], str], dev_env: dict[str, str], tmp_path: Path
) -> None:
    process, base = dev
    output = _wait_for_banner(tmp_path / "dev.log")
    assert f"feedback is running at {base}/" in output
    assert f"{base}/dev/outbox" in output

    children = descendants(process.pid)
    commands = " | ".join(children.values())
    assert "smtp-sink" in commands and "feedback.worker worker -B" in commands
    assert f"run --host 127.0.0.1 --port {base.rpartition(':')[2]}" in commands

    # The sink the dev command started keeps what it receives, and the outbox shows it.
    with smtplib.SMTP("127.0.0.1", int(dev_env["SMTP_PORT"])) as smtp:
        smtp.send_message(sample_message("Seen in the outbox"))
    with urllib.request.urlopen(f"{base}/dev/outbox.json", timeout=5) as response:
        assert b"Seen in the outbox" in response.read()

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    left = {pid: cmd for pid, cmd in children.items() if _alive(pid)}
    assert left == {}, f"left running: {left}"


def test_a_child_dying_stops_the_others_with_an_error(
    dev: tuple[subprocess.Popen[bytes], str], tmp_path: Path
) -> None:
    process, _base = dev
    children = descendants(process.pid)
    [sink] = [pid for pid, cmd in children.items() if "smtp-sink" in cmd]

    os.kill(sink, signal.SIGKILL)

    assert process.wait(timeout=60) == 1
    assert (
        "smtp-sink exited with code -9; stopping the others" in (tmp_path / "dev.log").read_text()
    )
    left = {pid: cmd for pid, cmd in children.items() if _alive(pid)}
    assert left == {}, f"left running: {left}"
