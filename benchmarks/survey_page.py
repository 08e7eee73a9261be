"""The survey page under an offered load beside a bare page of one SELECT, in the same run.

Set-up (scratch database `feedback_bench_survey`, PostgreSQL when it answers, else SQLite;
BENCH_SQLITE=1 forces SQLite): the demo program and its `after-contact` questionnaire, TOKENS
events through the API, sent by the worker's dispatch through the no-op channel, which gives
invitations in status `sent`; their tokens (benchmarks/sent_invitations.py). Two
servers with the documented settings (`gunicorn -c python:feedback.gunicorn_conf`): the app, and
benchmarks/bare_survey_page.py (one indexed SELECT by token hash, the limit).

After 3 s of the same load on each server, not timed (a server that has served no survey yet builds
each version's page on its first visits), each run, on each server: an OPEN-LOOP load of RATE
visits/s for DURATION s (fixed arrival times; a pool of client threads on keep-alive connections;
latency counted from each visit's scheduled time, so that queueing shows). A visit to the app is
what a client's browser does with the link: GET /s/<token> (303 and the session cookie), then GET
/s/ (the page); a visit to the bare page is its one GET. Then capacity: CONNECTIONS closed-loop
clients for CAPACITY_SECONDS, the page (GET /s/ with a session) against the bare page. Also the
page's weight (HTML and the CSS, JS and images it links). Target: p99 of a visit < 100 ms at 100
visits/s. The load generator is Python on the same 2-core machine: it takes CPU from the servers.
Each row also says how many of the app's gunicorn workers were replaced during its open-loop
load (`max_requests` recycles a worker after about 5,000 requests, so one run in two or three
sees it): a replaced worker's first requests are part of the figures.
Run: `make bench-survey` (BENCH_QUICK=1: 8 s of load).
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import harness
from sqlalchemy import create_engine

PORT = 8794
BARE_PORT = 8795
RATE = float(os.environ.get("BENCH_RATE", "100"))
DURATION = float(os.environ.get("BENCH_DURATION", "8" if harness.QUICK else "20"))
CAPACITY_SECONDS = 4.0 if harness.QUICK else 10.0
WARM_UP_SECONDS = 3.0
CONNECTIONS = 8
CLIENT_THREADS = 32
TOKENS = 300 if harness.QUICK else 1000
DRAIN_SECONDS = 30.0
TARGET_P99 = 0.100

#: One visit on a client's connection: the seconds of its last request, or an error.
Visit = Callable[[http.client.HTTPConnection, str], float]


def app_visit(conn: http.client.HTTPConnection, token: str) -> float:
    """The link, then the page with the session cookie the link set."""
    conn.request("GET", f"/s/{token}")
    response = conn.getresponse()
    response.read()
    if response.status != 303:
        raise RuntimeError(f"GET /s/<token>: {response.status}")
    cookie = harness.cookies_of(response)
    start = time.perf_counter()
    conn.request("GET", response.getheader("Location") or "/s/", headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"GET /s/: {response.status}")
    return time.perf_counter() - start


def bare_visit(conn: http.client.HTTPConnection, token: str) -> float:
    start = time.perf_counter()
    conn.request("GET", f"/s/{token}")
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"bare GET /s/<token>: {response.status}")
    return time.perf_counter() - start


@dataclass
class OpenLoop:
    """What an open-loop load saw."""

    offered: int
    latencies: list[float]  # per visit, from its scheduled time to its last byte
    last_request: list[float]  # per visit, its last request alone (the page, for the app)
    errors: list[str]

    def row(self) -> list[str]:
        lat = sorted(self.latencies)
        page = sorted(self.last_request)

        def ms(value: float) -> str:
            return f"{value * 1000:.0f}"

        answered = f"{len(lat)}/{self.offered}" + (
            f", {len(self.errors)} errors" if self.errors else ""
        )
        return [
            answered,
            f"{ms(harness.quantile(lat, 0.5))} / {ms(harness.quantile(lat, 0.95))} / "
            f"{ms(harness.quantile(lat, 0.99))}",
            f"{ms(harness.quantile(page, 0.5))} / {ms(harness.quantile(page, 0.99))}",
        ]

    @property
    def p99(self) -> float:
        if len(self.latencies) < self.offered:
            return float("inf")  # visits left unanswered: beyond any percentile we could give
        return harness.quantile(sorted(self.latencies), 0.99)


def open_loop(port: int, tokens: list[str], visit: Visit, seconds: float = DURATION) -> OpenLoop:
    """RATE visits/s for `seconds` at fixed times, served by a pool of client threads."""
    offered = int(RATE * seconds)
    arrivals: queue.Queue[tuple[int, float] | None] = queue.Queue()
    result = OpenLoop(offered, [], [], [])
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while (item := arrivals.get()) is not None:
            index, scheduled = item
            try:
                last = visit(conn, tokens[index % len(tokens)])
            except Exception as exc:  # noqa: BLE001 - counted and shown, the load goes on
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    result.errors.append(str(exc))
                continue
            done = time.perf_counter()
            with lock:
                result.latencies.append(done - scheduled)
                result.last_request.append(last)
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    start = time.perf_counter() + 0.1
    for index in range(offered):
        scheduled = start + index / RATE
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        arrivals.put((index, scheduled))
    for _ in threads:
        arrivals.put(None)
    deadline = time.monotonic() + DRAIN_SECONDS
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    with lock:  # visits still waiting past the drain are left unanswered
        return OpenLoop(offered, list(result.latencies), list(result.last_request), result.errors)


def capacity(port: int, paths: list[tuple[str, dict[str, str]]]) -> float:
    """Requests/s answered by CONNECTIONS clients each repeating its own request at once."""
    stop = time.perf_counter() + CAPACITY_SECONDS
    counts = [0] * len(paths)

    def client(slot: int) -> None:
        path, headers = paths[slot]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < stop:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[slot] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(len(paths))]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - start)


def session_cookie(token: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", f"/s/{token}")
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 303:
        raise RuntimeError(f"GET /s/<token> answered {response.status}, not 303")
    return harness.cookies_of(response)


def page_weight(token: str) -> str:
    """Bytes of the page's HTML and of every stylesheet, script and image it links."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", "/s/", headers={"Cookie": session_cookie(token)})
    response = conn.getresponse()
    html = response.read()
    links = re.findall(
        rb"<(?:link[^>]*\shref|script[^>]*\ssrc|img[^>]*\ssrc)=[\"']([^\"']+)[\"']", html
    )
    assets = 0
    names = []
    for link in dict.fromkeys(links):
        path = link.decode()
        if not path.startswith("/"):
            continue  # another origin (none expected)
        conn.request("GET", path)
        asset = conn.getresponse()
        assets += len(asset.read())
        names.append(path.rsplit("/", 1)[-1].split("?")[0])
    conn.close()
    return f"{len(html):,} B HTML + {assets:,} B linked ({', '.join(names) or 'nothing'})"


def tokens_of_sent_invitations(
    backend: harness.Backend, env: dict[str, str], key: str
) -> list[str]:
    """TOKENS invitations in status `sent`: events through the API, then the worker's dispatch
    through the no-op channel; their tokens as the app derives them."""
    bodies = harness.event_bodies("s", 1, 1, TOKENS)
    accepted, _ = harness.post_events(PORT, key, bodies)
    sender = harness.Sender(backend)
    worker = harness.start_worker(env, sender, backend.folder, "survey")
    engine = create_engine(backend.database_url)
    seconds = harness.dispatch_all(sender, engine, TOKENS)
    engine.dispose()
    harness.stop_child(worker)
    done = subprocess.run(
        [sys.executable, str(harness.ROOT / "benchmarks" / "sent_invitations.py")],
        env=env,
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sent_invitations.py failed:\n{done.stderr[-3000:]}")
    tokens = done.stdout.split()
    print(f"set-up: {accepted} events through the API, {len(tokens)} sent in {seconds:.1f} s")
    if len(tokens) < TOKENS:
        raise RuntimeError(f"only {len(tokens)} of {TOKENS} invitations were sent")
    return tokens


def main() -> int:
    with harness.backend("feedback_bench_survey") as backend:
        env = harness.environment(backend, PORT)
        print(
            f"survey page benchmark on {backend.label}: {RATE:.0f} visits/s for {DURATION:.0f} s,"
            f" capacity with {CONNECTIONS} connections for {CAPACITY_SECONDS:.0f} s; the load"
            " generator (Python threads) shares the machine's 2 cores with the servers"
        )
        key = harness.set_up_program(env)
        log = backend.folder / "gunicorn.log"
        server = harness.start_gunicorn(env, PORT, log)
        tokens = tokens_of_sent_invitations(backend, env, key)
        harness.start_gunicorn(
            env, BARE_PORT, backend.folder / "bare.log", app="benchmarks.bare_survey_page:app"
        )
        weight = page_weight(tokens[0])
        print(f"page weight: {weight}")
        page_sessions = [("/s/", {"Cookie": session_cookie(t)}) for t in tokens[:CONNECTIONS]]
        bare_paths = [(f"/s/{t}", {}) for t in tokens[:CONNECTIONS]]
        # Not timed: a server that has answered no survey yet builds each version's page and
        # opens its connections on the first visits (a running service has done so long ago).
        open_loop(PORT, tokens, app_visit, WARM_UP_SECONDS)
        open_loop(BARE_PORT, tokens, bare_visit, WARM_UP_SECONDS)
        rows = []
        for run in range(1, harness.RUNS + 1):
            load = harness.announce_run(run, backend.label)
            before = set(harness.gunicorn_workers(server))
            if run == 1:
                with harness.profiled(server, "survey_page", log):
                    app = open_loop(PORT, tokens, app_visit)
            else:
                app = open_loop(PORT, tokens, app_visit)
            replaced = len(before - set(harness.gunicorn_workers(server)))
            print(f"app workers replaced during the load: {replaced}")
            bare = open_loop(BARE_PORT, tokens, bare_visit)
            app_capacity = capacity(PORT, page_sessions)
            bare_capacity = capacity(BARE_PORT, bare_paths)
            print(f"app:  {app.row()}; capacity {app_capacity:,.0f} req/s")
            print(f"bare: {bare.row()}; capacity {bare_capacity:,.0f} req/s")
            if app.errors:
                print(f"app errors, e.g.: {statistics.mode(app.errors)}")
            rows.append(
                [
                    f"{run} ({backend.label})",
                    load,
                    *app.row(),
                    str(replaced),
                    f"{app_capacity:,.0f}",
                    *bare.row()[1:2],
                    f"{bare_capacity:,.0f}",
                    f"{app.p99 / bare.p99:.1f}x" if bare.p99 < float("inf") else "-",
                    "p99 < 100 ms",
                    harness.verdict(app.p99 < TARGET_P99),
                ]
            )
        table = harness.print_table(
            [
                "survey run",
                "load before",
                "visits answered",
                "visit p50 / p95 / p99 ms (link + page, from schedule)",
                "page GET /s/ p50 / p99 ms",
                "app workers replaced (max_requests)",
                "page capacity req/s",
                "bare page p50 / p95 / p99 ms (limit)",
                "bare capacity req/s",
                "p99 ratio",
                "target",
                "result",
            ],
            rows,
        )
        print(f"\npage weight: {weight}")
        harness.record("survey", backend.label, table + f"\n\nPage weight: {weight}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
