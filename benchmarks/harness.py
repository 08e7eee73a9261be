"""What the throughput benchmarks share: scratch databases and brokers, the documented server
and worker commands as child processes (always stopped, even on an error or Ctrl-C), the
machine's load, and one markdown row per run.

Environment: BENCH_QUICK=1 (short runs while developing), BENCH_SQLITE=1 (SQLite and the
filesystem broker, the embedded set-up, for comparison), BENCH_RUNS (default 3),
BENCH_PROFILE=1 (py-spy flame graphs of the server into docs/profiles/, when py-spy is installed),
BENCH_KEEP=1 (keep the scratch database and folder).
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from sqlalchemy import text
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(1, str(ROOT))  # this checkout's feedback package, as the child processes get
BIN = Path(sys.executable).parent
#: A distribution folder (a .dist-info beside its package) put on PYTHONPATH: the no-op channel
#: is found through the real `feedback.channels` entry point without installing anything.
NOOP_CHANNEL_PATH = ROOT / "benchmarks" / "noop_channel"
PROFILES = ROOT / "docs" / "profiles"
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
FORCE_SQLITE = os.environ.get("BENCH_SQLITE", "") not in ("", "0")
PROFILE = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
REDIS_URL = "redis://127.0.0.1:6379/14"
PG_ADMIN = "host=127.0.0.1 user=postgres dbname=postgres"
SECRET_KEY = "bench-secret"  # noqa: S105 - a scratch database's development key


@dataclass(frozen=True)
class Backend:
    """Where a benchmark's data and messages go."""

    database_url: str
    broker_url: str
    folder: Path

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def label(self) -> str:
        database = "PostgreSQL" if self.postgres else "SQLite"
        broker = "Redis" if self.broker_url.startswith("redis") else "filesystem broker"
        return f"{database} + {broker}"


def scratch_database(name: str, folder: Path) -> str:
    """A new, empty database `name` on the local PostgreSQL, else a SQLite file (or when
    BENCH_SQLITE asks for the comparison)."""
    if not FORCE_SQLITE:
        try:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
            return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        except Exception as exc:  # noqa: BLE001 - no PostgreSQL: say so, use SQLite
            print(f"PostgreSQL does not answer ({exc.__class__.__name__}): using SQLite")
    return f"sqlite:///{folder / (name + '.db')}"


def drop_database(database_url: str) -> None:
    """Drop a scratch PostgreSQL database (a SQLite file goes with its temporary folder)."""
    if not database_url.startswith("postgresql"):
        return
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with (
        contextlib.suppress(Exception),
        psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn,
    ):
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scratch_broker(folder: Path) -> str:
    """Redis database 14, emptied, when Redis answers; else kombu's filesystem transport."""
    if not FORCE_SQLITE:
        try:
            import redis

            client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
            client.flushdb()
            return REDIS_URL
        except Exception as exc:  # noqa: BLE001 - no Redis: say so, use the embedded broker
            print(f"Redis does not answer ({exc.__class__.__name__}): using the filesystem broker")
    (folder / "broker").mkdir(exist_ok=True)
    return "filesystem://"


def flush_broker(backend: Backend) -> None:
    """Empty the scratch broker between runs."""
    if backend.broker_url.startswith("redis"):
        import redis

        redis.Redis.from_url(backend.broker_url).flushdb()
    else:
        for sub in ("queue", "processed"):
            shutil.rmtree(backend.folder / "broker" / sub, ignore_errors=True)


@contextlib.contextmanager
def backend(name: str) -> Iterator[Backend]:
    """A scratch database named `name` and a scratch broker; dropped afterwards unless
    BENCH_KEEP=1 (the SQLite file and broker folder live in a temporary folder)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    database_url = scratch_database(name, folder)
    result = Backend(database_url, scratch_broker(folder), folder)
    try:
        yield result
    finally:
        stop_children()
        previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            if os.environ.get("BENCH_KEEP", "") in ("", "0"):
                drop_database(database_url)
                shutil.rmtree(folder, ignore_errors=True)
            else:
                print(f"kept: {database_url} and {folder}")
        finally:
            signal.signal(signal.SIGTERM, previous)


def environment(backend: Backend, port: int, **extra: str) -> dict[str, str]:
    """The environment of every process of one benchmark: the web, the worker and the CLI."""
    python_path = [str(NOOP_CHANNEL_PATH), str(ROOT)]
    if os.environ.get("PYTHONPATH"):
        python_path.append(os.environ["PYTHONPATH"])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(python_path),
        "FEEDBACK_ENV": "development",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": backend.database_url,
        "CELERY_BROKER_URL": backend.broker_url,
        "BROKER_FOLDER": str(backend.folder / "broker"),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "FEEDBACK_CHANNELS": "email,noop",
        "OUTBOX_DIR": str(backend.folder / "outbox"),
        # The limiter stays on (its cost is part of every request) with limits no benchmark meets.
        "RATELIMIT_API": "1000000 per minute",
        "RATELIMIT_SURVEY": "1000000 per minute",
        "BIND": f"127.0.0.1:{port}",
    }
    env.update(extra)
    return env


def feedback(env: dict[str, str], *args: str) -> str:
    """Run the `feedback` command line; its output."""
    done = subprocess.run(
        [str(BIN / "feedback"), *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"feedback {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def set_up_program(env: dict[str, str]) -> str:
    """The demo program `passport` with the `after-contact` questionnaire (`feedback seed-demo`,
    one simulated contact) and a rule sending every `bench` contact at once through the no-op
    channel; the demo API key."""
    feedback(env, "db", "upgrade")
    credentials = feedback(env, "seed-demo", "--contacts", "1")
    key = next(line.split(": ", 1)[1] for line in credentials.splitlines() if "API key" in line)
    feedback(
        env,
        "add-rule",
        "--program",
        "passport",
        "--questionnaire",
        "after-contact",
        "--contact-type",
        "bench",
        "--channel",
        "noop",
        "--quiet-hours",
        "none",
        "--fatigue-days",
        "0",
    )
    return key.strip()


# --- child processes ---------------------------------------------------------------------------

_children: list[subprocess.Popen[bytes]] = []
_stop_signals: dict[int, int] = {}


def start_child(
    args: Sequence[str], env: dict[str, str], log: Path, stop_signal: int = signal.SIGTERM
) -> subprocess.Popen[bytes]:
    """A child in its own process group (so that its own children stop with it); `stop_signal`
    is what stops it (gunicorn: SIGINT, its quick shutdown)."""
    with open(log, "ab") as out:
        process = subprocess.Popen(
            list(args), env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    _children.append(process)
    _stop_signals[process.pid] = stop_signal
    return process


def stop_child(process: subprocess.Popen[bytes], grace: float = 15) -> None:
    """Signal the child's process group, then KILL it if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, _stop_signals.get(process.pid, signal.SIGTERM))
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any grandchild the leader left behind
    if process in _children:
        _children.remove(process)


def stop_children() -> None:
    """Stop every child, not to be interrupted by a second Ctrl-C or TERM meanwhile."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for process in list(reversed(_children)):
            stop_child(process)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


atexit.register(stop_children)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)  # also when started in the background


def wait_until(check: Callable[[], bool], timeout: float, what: str, poll: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(poll)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def start_gunicorn(
    env: dict[str, str], port: int, log: Path, app: str = "feedback.wsgi:app"
) -> subprocess.Popen[bytes]:
    """The documented web command on `port`; returns once it answers."""
    command = [str(BIN / "gunicorn"), "-c", "python:feedback.gunicorn_conf", app]
    process = start_child(command, {**env, "BIND": f"127.0.0.1:{port}"}, log, signal.SIGINT)

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/privacy")
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            return False

    wait_until(answers, 60, "gunicorn answers")
    return process


def gunicorn_workers(master: subprocess.Popen[bytes]) -> list[int]:
    """The pids of a gunicorn master's worker processes."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


# --- the worker -----------------------------------------------------------------------------

DISPATCH_DUE = "feedback.invitations.tasks.dispatch_due"
MARK = "benchmarks.mark"
#: The worker's command after `celery -A feedback.worker`: the README's, two processes.
WORKER = ["worker", "-c", "2", "--loglevel=WARNING", "--include", "benchmarks.noop_tasks"]


class Sender:
    """Sends tasks by name to the benchmark's broker, as the web process and beat do."""

    def __init__(self, backend: Backend) -> None:
        from celery import Celery

        from feedback.config import filesystem_broker_options

        self.app = Celery(broker=backend.broker_url, set_as_current=False)
        self.app.conf.task_serializer = "json"
        if backend.broker_url.startswith("filesystem://"):
            options = filesystem_broker_options(backend.folder / "broker")
            self.app.conf.broker_transport_options = options

    def send(self, name: str, *args: object) -> None:
        self.app.send_task(name, args=list(args))

    def send_many(self, name: str, count: int) -> None:
        """`count` tasks on one connection."""
        with self.app.producer_or_acquire() as producer:
            for _ in range(count):
                self.app.send_task(name, args=[], producer=producer)


def start_worker(
    env: dict[str, str], sender: Sender, folder: Path, tag: str
) -> subprocess.Popen[bytes]:
    """The worker, once it runs a task."""
    log = folder / "worker.log"
    worker = start_child([str(BIN / "celery"), "-A", "feedback.worker", *WORKER], env, log)
    ready = folder / f"worker-ready-{tag}"
    sender.send(MARK, str(ready))
    wait_until(ready.exists, 90, f"the worker (log: {log})")
    return worker


def count_sent(engine: Engine) -> int:
    """Invitations of the no-op channel in status `sent`."""
    with engine.connect() as conn:
        return conn.scalar(
            text("SELECT count(*) FROM invitations WHERE channel = 'noop' AND status = 'sent'")
        )


def dispatch_all(sender: Sender, engine: Engine, goal: int) -> float:
    """Send dispatch_due (and again every second, as beat would) until `goal` invitations of
    the no-op channel are `sent`: the seconds from the first dispatch_due."""
    timeout = max(120.0, goal / 20)
    start = time.perf_counter()
    sender.send(DISPATCH_DUE)
    last_kick = start
    while count_sent(engine) < goal:
        now = time.perf_counter()
        if now - start > timeout:
            raise TimeoutError(f"{count_sent(engine)} of {goal} invitations sent")
        if now - last_kick >= 1.0:
            sender.send(DISPATCH_DUE)
            last_kick = now
        time.sleep(0.05)
    return time.perf_counter() - start


# --- profiles ----------------------------------------------------------------------------------


@contextlib.contextmanager
def profiled(master: subprocess.Popen[bytes], name: str, log: Path) -> Iterator[None]:
    """With BENCH_PROFILE=1 and py-spy installed: while the block runs, a flame graph of each
    gunicorn worker (docs/profiles/<name>-worker<n>.svg) and, from the collapsed stacks of all
    of them, the functions that take the most time (docs/profiles/<name>.txt)."""
    spy = shutil.which("py-spy") or (str(BIN / "py-spy") if (BIN / "py-spy").exists() else None)
    if not PROFILE or spy is None:
        if PROFILE:
            print("BENCH_PROFILE=1 but py-spy is not installed (.venv/bin/pip install py-spy)")
        yield
        return
    PROFILES.mkdir(parents=True, exist_ok=True)
    name = f"{name}-{'sqlite' if FORCE_SQLITE else 'postgres'}"
    svgs: list[Path] = []
    raws: list[Path] = []
    spies = []
    with open(log, "ab") as out:
        for n, pid in enumerate(gunicorn_workers(master), start=1):
            svg = PROFILES / f"{name}-worker{n}.svg"
            raw = Path(tempfile.mkdtemp(prefix="bench-profile-")) / f"{name}-{n}.txt"
            base = [spy, "record", "--pid", str(pid), "--rate", "50"]
            for output, extra in ((svg, []), (raw, ["--format", "raw"])):
                command = [*base, *extra, "--output", str(output)]
                spies.append(subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT))
            svgs.append(svg)
            raws.append(raw)
    try:
        yield
    finally:
        for spy_process in spies:
            spy_process.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for spy_process in spies:
            try:
                spy_process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy_process.kill()
        summary = PROFILES / f"{name}.txt"
        summary.write_text(summarize_stacks([raw for raw in raws if raw.exists()]))
        written = [str(path.relative_to(ROOT)) for path in [*svgs, summary] if path.exists()]
        print(f"profiles: {', '.join(written)}")


def summarize_stacks(raws: Sequence[Path], top: int = 40) -> str:
    """py-spy's collapsed stacks summed over processes: each function's share of the samples
    with it on the stack (inclusive), and each library's share of the samples it is on top of."""
    inclusive: dict[str, int] = {}
    on_top: dict[str, int] = {}
    total = idle = 0
    for raw in raws:
        for line in raw.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = stack.split(";")
            if re.search(IDLE_FRAME, frames[-1]):
                idle += count
                continue
            total += count
            seen = set()
            for frame in frames:
                if frame.startswith(("process ", "thread (")):  # py-spy's own labels
                    continue
                function = re.sub(r":\d+\)$", ")", frame)
                if function not in seen:
                    seen.add(function)
                    inclusive[function] = inclusive.get(function, 0) + count
            library = _library(frames[-1])
            on_top[library] = on_top.get(library, 0) + count
    if not total:
        return "no samples\n"
    lines = [
        f"{total} samples of working threads, all gunicorn workers (50 a second; left out: "
        f"{idle} of threads waiting for work). Waiting for the database counts as working.",
        "",
        "on top of the stack, by library:",
    ]
    for library, count in sorted(on_top.items(), key=lambda item: -item[1])[:15]:
        lines.append(f"{count / total:6.1%}  {library}")
    lines += ["", "on the stack (inclusive), top functions:"]
    for function, count in sorted(inclusive.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"{count / total:6.1%}  {function}")
    return "\n".join(lines) + "\n"


#: The top frame of a gthread worker's thread with no request: waiting for one.
IDLE_FRAME = r"\((threading\.py|selectors\.py|concurrent/futures/thread\.py|queue\.py):"


def _library(frame: str) -> str:
    """`function (path/to/module.py:line)` -> its top package (`feedback/<area>` for ours)."""
    match = re.search(r"\(([^:)]+)", frame)
    path = match.group(1) if match else frame
    path = path.split("site-packages/", 1)[-1]
    path = re.sub(r"^.*/lib/python3\.\d+/", "", path).lstrip("/")  # the standard library
    if "/feedback/" in "/" + path:
        return "feedback/" + ("/" + path).split("/feedback/", 1)[1].split("/")[0]
    return path.split("/", 1)[0]


# --- reporting ---------------------------------------------------------------------------------


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def announce_run(run: int, label: str) -> str:
    """Print and return the load before a run (1, 5 and 15 minute averages; 2 cores)."""
    now = load()
    print(f"\nrun {run}/{RUNS} on {label}: load average {now} (1/5/15 min, {os.cpu_count()} cores)")
    return now


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    text = "\n".join(lines)
    print("\n" + text)
    return text


def verdict(ok: bool) -> str:
    return "pass" if ok else "**fail**"


def per_second(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def quantile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def cookies_of(response: http.client.HTTPResponse) -> str:
    """The Cookie header that returns every cookie a response set."""
    pairs = [
        re.split(r";", value, maxsplit=1)[0].strip()
        for name, value in response.getheaders()
        if name.lower() == "set-cookie"
    ]
    return "; ".join(pairs)


def record(name: str, label: str, table: str) -> None:
    """Append a benchmark's table to the file named by BENCH_RESULTS (run_all.py collects them)."""
    path = os.environ.get("BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"name": name, "label": label, "table": table}) + "\n")


# --- the contacts API --------------------------------------------------------------------------


def event_bodies(tag: str, clients: int, batches: int, batch: int = 1000) -> list[list[bytes]]:
    """Request bodies for POST /api/v1/contacts, `batches` in all shared out among `clients`,
    each of `batch` distinct events (contact type `bench`: the no-op channel's rule, at once).
    External ids start with `tag`."""
    now = datetime.now(UTC).isoformat()
    per_client = [batches // clients + (c < batches % clients) for c in range(clients)]
    result = []
    for client, count in enumerate(per_client):
        bodies = []
        for n in range(count):
            events = [
                {
                    "source": "bench",
                    "external_id": f"{tag}-c{client}-b{n}-{i}",
                    "program": "passport",
                    "contact_type": "bench",
                    "occurred_at": now,
                    "language": "en" if i % 3 else "fr",
                    "client": {
                        "reference": f"ref-{tag}-{client}-{n}-{i}",
                        "email": f"client.{tag}.{client}.{n}.{i}@example.org",
                    },
                    "attributes": {"office": f"office-{i % 20}"},
                }
                for i in range(batch)
            ]
            bodies.append(json.dumps({"events": events}).encode())
        result.append(bodies)
    return result


def post_events(port: int, key: str, bodies: list[list[bytes]]) -> tuple[int, float]:
    """Post each client's bodies from its own thread on a keep-alive connection: the events
    accepted and the seconds from the first request to the last answer."""
    accepted: list[int] = []
    errors: list[str] = []
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    retried: list[str] = []

    def client(own: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        for body in own:
            for attempt in range(1, 4):
                conn.request("POST", "/api/v1/contacts", body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                if response.status == 200:
                    accepted.append(json.loads(payload)["accepted"])
                    break
                if response.status < 500 or attempt == 3:
                    errors.append(f"{response.status}: {payload[:300]!r}")
                    break
                # A server error (SQLite's lock wait running out, say): the same batch again,
                # which the API takes idempotently; counted and printed, the clock runs on.
                retried.append(f"{response.status}: {payload[:200]!r}")
                time.sleep(1)
        conn.close()

    threads = [threading.Thread(target=client, args=(own,)) for own in bodies]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if retried:
        print(f"the API failed {len(retried)} times and the batch was sent again: {retried[0]}")
    if errors:
        raise RuntimeError(f"the API refused {len(errors)} batches, e.g. {errors[0]}")
    return sum(accepted), seconds
