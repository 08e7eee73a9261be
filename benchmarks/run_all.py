"""`make bench`: the throughput benchmarks (ingest, dispatch, survey page), each beside its limit,
on PostgreSQL and Redis, then on SQLite and the filesystem broker for comparison.

Each benchmark runs in its own process (which stops its servers and drops its scratch database
whatever happens). The tables are printed, and, unless BENCH_QUICK=1 or BENCH_WRITE_DOCS=0,
written into docs/benchmarks.md between the two markers of its results section (replaced on each
run). Choose benchmarks with arguments: `python benchmarks/run_all.py ingest survey_page`;
`--postgres-only` skips the SQLite comparison.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "benchmarks.md"
BENCHMARKS = ("ingest", "dispatch", "survey_page", "csv_import")
START = "<!-- throughput results: written by benchmarks/run_all.py -->"
END = "<!-- end of throughput results -->"
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")


def run(name: str, sqlite: bool, results: Path) -> int:
    env = {**os.environ, "BENCH_RESULTS": str(results)}
    if sqlite:
        env["BENCH_SQLITE"] = "1"
    else:
        env.pop("BENCH_SQLITE", None)
    print(f"\n===== {name} ({'SQLite + filesystem broker' if sqlite else 'PostgreSQL + Redis'})")
    sys.stdout.flush()
    return subprocess.run([sys.executable, str(HERE / f"{name}.py")], env=env).returncode


def section(entries: list[dict[str, str]], started: datetime, failures: list[str]) -> str:
    """The results section of docs/benchmarks.md."""
    cores = os.cpu_count()
    lines = [
        START,
        f"Last full run: {started:%Y-%m-%d %H:%M} UTC, {cores} cores ({platform.machine()}), "
        f"Python {platform.python_version()}; load averages are 1, 5 and 15 minutes before "
        "each run.",
        "",
    ]
    titles = {
        "ingest": "Ingest through the API (batches of 1,000) vs bare executemany",
        "dispatch": "Dispatch through a no-op channel vs a no-op Celery task",
        "survey": "Survey page at 100 visits/s vs a bare page of one SELECT",
        "csv_import": "CSV import: rate and peak memory of a file 10 times larger",
    }
    for entry in entries:
        lines += [f"#### {titles.get(entry['name'], entry['name'])}: {entry['label']}", ""]
        lines += [entry["table"], ""]
    if failures:
        lines += [f"Did not finish: {', '.join(failures)} (see the output of `make bench`).", ""]
    lines.append(END)
    return "\n".join(lines)


def write_docs(text: str) -> None:
    current = DOCS.read_text(encoding="utf-8")
    if START in current and END in current:
        head, rest = current.split(START, 1)
        tail = rest.split(END, 1)[1]
        DOCS.write_text(head + text + tail, encoding="utf-8")
    else:
        DOCS.write_text(current.rstrip() + "\n\n## Throughput results\n\n" + text + "\n")
    print(f"\nwritten: {DOCS}")


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("--")] or list(BENCHMARKS)
    backends = [False] if "--postgres-only" in argv else [False, True]
    started = datetime.now(UTC)
    failures = []
    with tempfile.TemporaryDirectory(prefix="bench-results-") as folder:
        results = Path(folder) / "results.jsonl"
        results.touch()
        for sqlite in backends:
            for name in names:
                began = time.monotonic()
                code = run(name, sqlite, results)
                print(f"({name}: {time.monotonic() - began:.0f} s, exit {code})")
                if code != 0:
                    failures.append(f"{name}{' on SQLite' if sqlite else ''}")
        entries = [json.loads(line) for line in results.read_text().splitlines() if line]
    text = section(entries, started, failures)
    print("\n" + text)
    if not QUICK and os.environ.get("BENCH_WRITE_DOCS", "1") != "0":
        write_docs(text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
