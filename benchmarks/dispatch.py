"""Dispatch through a no-op channel beside a no-op Celery task, same broker and worker, same run.

Set-up (scratch database `feedback_bench_dispatch` and Redis database 14 when they answer, else
SQLite and kombu's filesystem broker as the embedded default uses; BENCH_SQLITE=1 forces those):
the demo program and a rule sending contact type `bench` at once through the channel `noop`
(benchmarks/noop_channel: found through the `feedback.channels` entry point on PYTHONPATH, not
installed), gunicorn to take the events, and one real worker,
`celery -A feedback.worker worker -c 2 --include benchmarks.noop_tasks` (prefork, the app's
Celery settings: acks late, prefetch 1).

Each run: INVITATIONS events through the API (not timed, no worker running; the dispatch
requests the API sends after each batch are purged) leave as many invitations due now; the
worker starts; then dispatch_due is sent (and again every second, as beat would) and the clock
runs until the database counts them all `sent`: invitations/s. Then its limit: as many no-op
tasks sent by name to the same worker on the same broker, then one that touches a file; the
clock runs from the first send to the file: tasks/s. Targets: >= 1,000 invitations/s and >= 1.5x
the task rate.
Run: `make bench-dispatch` (BENCH_QUICK=1: 2,000 invitations; BENCH_INVITATIONS=N).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import harness
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

PORT = 8793
#: Whole batches of 1,000 events, one due invitation each.
BATCHES = -(-int(os.environ.get("BENCH_INVITATIONS", "2000" if harness.QUICK else "10000")) // 1000)
INVITATIONS = BATCHES * 1000
TARGET_RATE = 1000.0
TARGET_FACTOR = 1.5
NOOP = "benchmarks.noop"
MARK = harness.MARK


def count_scheduled(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(
            text("SELECT count(*) FROM invitations WHERE channel = 'noop' AND status = 'scheduled'")
        )


def noop_rate(sender: harness.Sender, folder: Path, run: int) -> float:
    """Seconds from the first of INVITATIONS no-op tasks to the marker task after them."""
    done = folder / f"noop-done-{run}"
    start = time.perf_counter()
    sender.send_many(NOOP, INVITATIONS)
    sender.send(MARK, str(done))
    harness.wait_until(done.exists, max(120.0, INVITATIONS / 20), "no-op tasks", poll=0.02)
    return time.perf_counter() - start


def main() -> int:
    with harness.backend("feedback_bench_dispatch") as backend:
        env = harness.environment(backend, PORT)
        print(f"dispatch benchmark on {backend.label}: {INVITATIONS} invitations per run")
        key = harness.set_up_program(env)
        harness.start_gunicorn(env, PORT, backend.folder / "gunicorn.log")
        sender = harness.Sender(backend)
        engine = create_engine(backend.database_url)
        rows = []
        for run in range(1, harness.RUNS + 1):
            bodies = harness.event_bodies(f"d{run}", 2, BATCHES, 1000)
            accepted, seconds = harness.post_events(PORT, key, bodies)
            due = count_scheduled(engine)
            print(f"\nset-up: {accepted} events through the API in {seconds:.1f} s; {due} due")
            if due < INVITATIONS:
                raise RuntimeError(f"only {due} invitations are due; expected {INVITATIONS}")
            # The API asks for a dispatch after each batch: those requests go, then the worker.
            sender.app.control.purge()
            worker = harness.start_worker(env, sender, backend.folder, f"run{run}")
            load = harness.announce_run(run, backend.label)
            already = harness.count_sent(engine)
            seconds = harness.dispatch_all(sender, engine, already + INVITATIONS)
            rate = harness.per_second(INVITATIONS, seconds)
            print(f"dispatch: {INVITATIONS} sent in {seconds:.2f} s = {rate:,.0f} invitations/s")
            noop_seconds = noop_rate(sender, backend.folder, run)
            limit = harness.per_second(INVITATIONS, noop_seconds)
            print(f"no-op task: {INVITATIONS} in {noop_seconds:.2f} s = {limit:,.0f} tasks/s")
            harness.stop_child(worker)
            factor = rate / limit
            rows.append(
                [
                    f"{run} ({backend.label})",
                    load,
                    f"{rate:,.0f} invitations/s",
                    f"{limit:,.0f} tasks/s",
                    f"{factor:.2f}x",
                    ">= 1,000/s and >= 1.5x",
                    harness.verdict(rate >= TARGET_RATE and factor >= TARGET_FACTOR),
                ]
            )
        engine.dispose()
        table = harness.print_table(
            [
                "dispatch run",
                "load before",
                f"{INVITATIONS:,} invitations, no-op channel",
                "no-op Celery task (limit)",
                "ratio",
                "target",
                "result",
            ],
            rows,
        )
        harness.record("dispatch", backend.label, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
