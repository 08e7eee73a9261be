"""A signed webhook answered while large batches are ingested, under the documented web command.

Starts `gunicorn -c python:feedback.gunicorn_conf feedback.wsgi:app` on a scratch PostgreSQL
database (or SQLite when PostgreSQL does not answer), keeps two API clients posting batches of
1,000 events for DURATION seconds, and meanwhile sends a signed JSON voice-webhook request every
half second, timing each answer. Prints the webhook latencies beside their limit (1 s) and the
events ingested, with the machine's load. Run: `make bench-webhook` (or python this file).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

LIMIT_SECONDS = 1.0
DURATION = float(os.environ.get("BENCH_DURATION", "30"))
BATCH = 1000
PORT = int(os.environ.get("BENCH_PORT", "8791"))
BASE = f"http://127.0.0.1:{PORT}"
BIN = Path(sys.executable).parent


def _database_url(folder: Path) -> str:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS feedback_bench")
            c.execute("CREATE DATABASE feedback_bench")
        return "postgresql+psycopg://postgres@127.0.0.1:5432/feedback_bench"
    except Exception:  # noqa: BLE001 - no PostgreSQL here: say so below and use SQLite
        return f"sqlite:///{folder / 'bench.db'}"


def _env(folder: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "FEEDBACK_ENV": "development",  # the dev signing secret of the JSON voice webhook
        "SECRET_KEY": "bench-secret",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "memory://",
        "PUBLIC_BASE_URL": BASE,
        "FEEDBACK_CHANNELS": "email,voice_webhook",
        "OUTBOX_DIR": str(folder / "outbox"),
        "RATELIMIT_ENABLED": "false",  # measure the server, not the API's rate limit
        "BIND": f"127.0.0.1:{PORT}",
    }


def _feedback(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [str(BIN / "feedback"), *args], env=env, check=True, capture_output=True, text=True
    ).stdout


def _post(path: str, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
    request = urllib.request.Request(BASE + path, data=body, headers=headers, method="POST")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - start


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    database_url = _database_url(folder)
    env = _env(folder, database_url)
    _feedback(env, "db", "upgrade")
    credentials = _feedback(env, "seed-demo", "--contacts", "1")
    key = next(line.split(": ", 1)[1] for line in credentials.splitlines() if "API key" in line)
    rule = ["--program", "passport", "--questionnaire", "after-contact", "--contact-type", "ivr"]
    _feedback(env, "add-rule", *rule, "--channel", "voice_webhook", "--mode", "conversation")
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:feedback.gunicorn_conf", "feedback.wsgi:app"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stop = threading.Event()
    ingested: list[int] = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(BASE + "/privacy", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)

        def ingest(client: int) -> None:
            n = 0
            while not stop.is_set():
                events = [
                    {
                        "source": "bench",
                        "external_id": f"{client}-{n}-{i}",
                        "program": "passport",
                        "contact_type": "call",
                        "occurred_at": datetime.now(UTC).isoformat(),
                        "language": "en",
                        "client": {
                            "reference": f"r-{client}-{n}-{i}",
                            "email": f"c{i}@example.org",
                        },
                    }
                    for i in range(BATCH)
                ]
                status, _ = _post(
                    "/api/v1/contacts",
                    json.dumps({"events": events}).encode(),
                    {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                )
                if status == 200:
                    ingested.append(BATCH)
                n += 1

        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins/voice_webhook"))
        from feedback_voice_webhook.channel import DEV_SECRET
        from feedback_voice_webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

        clients = [threading.Thread(target=ingest, args=(c,), daemon=True) for c in range(2)]
        for client in clients:
            client.start()
        time.sleep(2)  # the batches are under way
        latencies, statuses = [], []
        deadline = time.monotonic() + DURATION
        while time.monotonic() < deadline:
            body = json.dumps(
                {
                    "call_id": str(uuid.uuid4()),
                    "event": "start",
                    "caller": "+16135550199",
                    "program": "passport",
                    "contact_type": "ivr",
                    "language": "en",
                }
            ).encode()
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(DEV_SECRET, timestamp, body),
            }
            status, seconds = _post("/hooks/voice_webhook/call", body, headers)
            statuses.append(status)
            latencies.append(seconds)
            time.sleep(0.5)
        stop.set()
        for client in clients:
            client.join(timeout=150)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    database = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite (no PostgreSQL)"
    print(f"load average: {os.getloadavg()[0]:.2f} (2 cores); database: {database}")
    print(
        f"signed webhooks: {len(latencies)} answered ({sorted(set(statuses))}), "
        f"median {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms; limit {LIMIT_SECONDS * 1000:.0f} ms"
    )
    print(f"meanwhile ingested: {sum(ingested)} events in batches of {BATCH} by 2 clients")
    return 0 if latencies[-1] < LIMIT_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
