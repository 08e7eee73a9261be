"""Ingest through the API beside bare `executemany` of the same rows, in the same run.

Set-up (scratch database `feedback_bench_ingest`, PostgreSQL when it answers, else SQLite;
BENCH_SQLITE=1 forces SQLite): `feedback db upgrade`, `feedback seed-demo` (program, questionnaire,
API key) and `feedback add-rule` (contact type `bench`, at once, no-op channel), then the
documented web command `gunicorn -c python:feedback.gunicorn_conf feedback.wsgi:app`.

After a warm-up that is not timed, each run: four client threads on keep-alive connections post
batches of 1,000 distinct events (bodies built before the clock starts) to POST
/api/v1/contacts: events/s. Then its limit: the
rows those requests stored in contact_events, read back and inserted by SQLAlchemy Core
`executemany` (one INSERT, one transaction) into an empty copy of the table with its indexes,
constraints and foreign keys (what an INSERT into contact_events checks): rows/s. Targets:
>= 5,000 events/s, and >= 25 % of the executemany rate. For information, the same executemany
into a copy without the foreign keys, and the API's ratio to it.
Run: `make bench-ingest` (BENCH_QUICK=1 for a short run; BENCH_INGEST_BATCHES=N).
"""

from __future__ import annotations

import os
import sys
import time

import harness
from sqlalchemy import MetaData, Table, create_engine, text
from sqlalchemy.engine import Engine

PORT = 8792
BATCH = 1000
#: Four connections: each sticks to the gunicorn process that accepted it, so two could both
#: land on one of the two processes and leave the other idle.
CLIENTS = 4
BATCHES = int(os.environ.get("BENCH_INGEST_BATCHES", "4" if harness.QUICK else "20"))
TARGET_RATE = 5000.0
TARGET_SHARE = 0.25
COPY = "bench_contact_events_copy"
BARE_COPY = "bench_contact_events_bare_copy"


def ingest_rate(key: str, run: int, batches: int = BATCHES) -> tuple[int, float]:
    """Events accepted through the API by CLIENTS threads, and the seconds it took."""
    bodies = harness.event_bodies(f"r{run}", CLIENTS, batches, BATCH)
    return harness.post_events(PORT, key, bodies)


def make_copy_tables(engine: Engine) -> None:
    """Two empty copies of contact_events with its indexes and constraints: COPY with its
    foreign keys too (to the program and the API key: each row inserted checks both, as in the
    real table), the limit; BARE_COPY without them, for information."""
    with engine.begin() as conn:
        for name in (COPY, BARE_COPY):
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        if engine.dialect.name == "postgresql":
            for name in (COPY, BARE_COPY):
                conn.execute(text(f"CREATE TABLE {name} (LIKE contact_events INCLUDING ALL)"))
            foreign_keys = conn.execute(
                text(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = 'contact_events'::regclass AND contype = 'f'"
                )
            ).all()
            for name, definition in foreign_keys:
                conn.execute(text(f"ALTER TABLE {COPY} ADD CONSTRAINT {name}_copy {definition}"))
            return
        # SQLite: the table's own statement (with its REFERENCES clauses, which the limit's
        # connection enforces: see executemany_rate), then its indexes.
        statements = conn.execute(
            text(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'contact_events' "
                "AND sql IS NOT NULL ORDER BY type DESC"  # the table, then its indexes
            )
        ).scalars()
        for statement in statements:
            for name in (COPY, BARE_COPY):
                conn.execute(text(statement.replace("contact_events", name)))


def executemany_rate(engine: Engine, run: int, into: str = COPY) -> tuple[int, float]:
    """The run's stored rows inserted again by one Core executemany into the empty copy
    `into`."""
    metadata = MetaData()
    events = Table("contact_events", metadata, autoload_with=engine)
    copy = Table(into, metadata, autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(copy.delete())
    with engine.connect() as conn:
        rows = [
            dict(row._mapping)
            for row in conn.execute(
                events.select().where(
                    events.c.source == "bench", events.c.external_id.like(f"r{run}-%")
                )
            )
        ]
    start = time.perf_counter()
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":  # as the app's connections do (feedback.extensions)
            conn.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if into == COPY else 'OFF'}")
        conn.execute(copy.insert(), rows)
    return len(rows), time.perf_counter() - start


def main() -> int:
    with harness.backend("feedback_bench_ingest") as backend:
        env = harness.environment(backend, PORT)
        log = backend.folder / "gunicorn.log"
        print(f"ingest benchmark on {backend.label}: {BATCHES} batches of {BATCH} per run")
        key = harness.set_up_program(env)
        server = harness.start_gunicorn(env, PORT, log)
        engine = create_engine(backend.database_url)
        make_copy_tables(engine)
        # Not timed: each process's first batches load what later ones reuse (rules, schemas).
        ingest_rate(key, 0, 2 * CLIENTS)
        rows = []
        for run in range(1, harness.RUNS + 1):
            load = harness.announce_run(run, backend.label)
            if run == 1:
                with harness.profiled(server, "ingest", log):
                    events, seconds = ingest_rate(key, run)
            else:
                events, seconds = ingest_rate(key, run)
            rate = harness.per_second(events, seconds)
            print(f"API: {events} events in {seconds:.2f} s = {rate:,.0f} events/s")
            copied, copy_seconds = executemany_rate(engine, run)
            limit = harness.per_second(copied, copy_seconds)
            print(f"executemany: {copied} rows in {copy_seconds:.3f} s = {limit:,.0f} rows/s")
            _, bare_seconds = executemany_rate(engine, run, BARE_COPY)
            bare = harness.per_second(copied, bare_seconds)
            print(f"executemany without foreign keys: {bare:,.0f} rows/s")
            share = rate / limit
            rows.append(
                [
                    f"{run} ({backend.label})",
                    load,
                    f"{rate:,.0f} events/s",
                    f"{limit:,.0f} rows/s",
                    f"{share:.1%}",
                    f"{bare:,.0f} rows/s ({rate / bare:.1%})",
                    ">= 5,000/s and >= 25 %",
                    harness.verdict(rate >= TARGET_RATE and share >= TARGET_SHARE),
                ]
            )
        engine.dispose()
        table = harness.print_table(
            [
                "ingest run",
                "load before",
                "API, batches of 1,000",
                "executemany (limit)",
                "ratio",
                "executemany without foreign keys (information; ratio)",
                "target",
                "result",
            ],
            rows,
        )
        harness.record("ingest", backend.label, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
