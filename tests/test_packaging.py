"""The production install, as the README says it: wheels of the core and of every plugin,
installed into a fresh virtualenv outside the checkout, then `feedback db upgrade`,
`gunicorn feedback.wsgi:app` answering in French and `celery -A feedback.worker worker` ready.

The wheels are built from a copy of the working tree without any `.mo` file, so the French
pages prove that the build compiles the catalogues. Building uses pip's build isolation (as any
user's build does), so pip must reach an index or its cache for setuptools, wheel and Babel.
The third-party dependencies come from the test's own environment through a `.pth` file: that
folder is appended to the new virtualenv's path without being a site folder, so its editable
installs of feedback (import hooks run from `.pth` files) stay off and feedback comes from the
wheels.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = sorted(path for path in (ROOT / "plugins").iterdir() if (path / "setup.cfg").is_file())
SKIP = shutil.ignore_patterns(
    ".venv", ".git", "node_modules", "instance", "build", "dist", "*.egg-info", "__pycache__",
    "*.mo", ".pytest_cache", ".ruff_cache", "reports",
)  # fmt: skip

pytestmark = [pytest.mark.slow, pytest.mark.worker]


def _run(args: list[str | Path], timeout: float, **kwargs: object) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv holding the wheels of the core and of every plugin; its python."""
    work = tmp_path_factory.mktemp("wheels")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    dist = work / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, "."]
        + [p.relative_to(ROOT) for p in PLUGINS],
        timeout=240,
        cwd=source,
    )
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], timeout=60)
    python = venv / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps"]
        + sorted(dist.glob("*.whl")),
        timeout=120,
    )
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], 30))
    (Path(str(site).strip()) / "_test_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n"
    )
    shutil.rmtree(source)
    return python


@pytest.fixture()
def service_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "FEEDBACK_ENV": "production",
        "SECRET_KEY": "packaging-test-" + "s" * 32,
        "DATA_ENCRYPTION_KEYS": "A" * 43 + "=",
        "PUBLIC_BASE_URL": "https://feedback.example.ca",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'feedback.db'}",
        "CELERY_BROKER_URL": "filesystem://",
        "BROKER_FOLDER": str(tmp_path / "broker"),
        "REPORTS_DIR": str(tmp_path / "reports"),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def started(tmp_path: Path) -> Iterator[list[tuple[subprocess.Popen[bytes], Path]]]:
    """Processes a test starts; each is stopped at the end, whatever happens."""
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    yield processes
    for process, _log in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process, _log in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start(
    started: list, args: list[str | Path], env: dict[str, str], cwd: Path, name: str
) -> tuple[subprocess.Popen[bytes], Path]:
    log = cwd / f"{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(a) for a in args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    started.append((process, log))
    return process, log


def _wait(condition, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def test_the_wheels_make_a_working_bilingual_service(
    installed: Path, service_env: dict[str, str], tmp_path: Path, started: list
) -> None:
    python, bin_dir = installed, installed.parent
    run = tmp_path / "run"  # outside the checkout: nothing can come from it
    run.mkdir()

    where = _run([python, "-c", "import feedback; print(feedback.__file__)"], 30, cwd=run)
    assert not where.startswith(str(ROOT)) and "site-packages" in where, where
    catalogues = _run(
        [python, "-c", "import feedback, feedback_email, feedback_voice_twilio, pathlib;"
         "print([p.name for m in (feedback, feedback_email, feedback_voice_twilio)"
         " for p in pathlib.Path(m.__file__).parent.glob('translations/*/LC_MESSAGES/*.mo')])"],
        30, cwd=run,
    )  # fmt: skip
    for name in ("messages.mo", "feedback_email.mo", "feedback_voice_twilio.mo"):
        assert name in catalogues

    _run([bin_dir / "feedback", "db", "upgrade"], 120, cwd=run, env=service_env)
    refused = subprocess.run(
        [bin_dir / "feedback", "check-config", "--skip-app"],
        cwd=run, env=service_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "FAIL  DATABASE_URL: sqlite:///" in refused.stdout
    assert "OK    schema: at " in refused.stdout

    port = _free_port()
    web, web_log = _start(
        started,
        [python, "-m", "gunicorn", "-c", "python:feedback.gunicorn_conf",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "feedback.wsgi:app"],
        service_env, run, "web",
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/privacy?lang=fr"

    page: list[str] = []

    def answers() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                page.append(response.read().decode())
            return True
        except OSError:
            return False

    _wait(answers, web, web_log, 45)
    assert "Avis de confidentialité" in page[0]

    worker, worker_log = _start(
        started,
        [python, "-m", "celery", "-A", "feedback.worker", "worker", "--pool=solo",
         "--loglevel=INFO"],
        service_env, run, "worker",
    )  # fmt: skip
    _wait(lambda: "ready." in worker_log.read_text(), worker, worker_log, 45)
    registered = worker_log.read_text()
    assert "feedback.invitations.tasks.dispatch_due" in registered
    assert "feedback.reporting.tasks.generate_report" in registered

    for process in (web, worker):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
