"""`feedback import-contacts` of a large CSV file: rate and peak memory at two sizes.

Set-up as the other benchmarks (scratch database, PostgreSQL when it answers, else SQLite;
BENCH_SQLITE=1 forces SQLite; the demo program and a rule for contact type `bench`). Each run
imports a file of LINES/10 lines, then one of LINES lines (1,000,000; BENCH_QUICK=1: 100,000),
each by the documented command in a process of its own, and reports lines/s and the process's
peak resident memory: in constant memory, the larger file costs no more memory than the smaller.
The limit beside it is the same machine's bare `executemany` of 1,000-row batches into an empty
copy of contact_events, which the ingest benchmark measures. Run: `make bench-csv`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import harness

PORT = 8796
LINES = int(os.environ.get("BENCH_CSV_LINES", "100000" if harness.QUICK else "1000000"))
HEADER = (
    "source,external_id,program,contact_type,occurred_at,language,client_reference,client_email\n"
)


def write_file(path: Path, lines: int, tag: str) -> Path:
    occurred = datetime.now(UTC).isoformat()
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for i in range(lines):
            language = "fr" if i % 3 == 0 else "en"
            out.write(
                f"csv,{tag}-{i},passport,bench,{occurred},{language},R{tag}{i},c{tag}{i}@example.org\n"
            )
    return path


def import_file(env: dict[str, str], path: Path) -> tuple[float, int]:
    """Seconds and peak resident memory (kB) of `feedback import-contacts PATH`, that process's
    own (os.wait4), whatever ran before it."""
    output = path.with_suffix(".out")
    start = time.perf_counter()
    with output.open("wb") as out:
        process = subprocess.Popen(
            [str(harness.BIN / "feedback"), "import-contacts", str(path)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=harness.ROOT,
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    text = output.read_text(encoding="utf-8", errors="replace").strip()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import failed:\n{text[-3000:]}")
    print(text.splitlines()[-1] if text else "(no summary)")
    return seconds, usage.ru_maxrss


def main() -> int:
    with harness.backend("feedback_bench_csv") as backend:
        env = harness.environment(backend, PORT)
        print(f"CSV import benchmark on {backend.label}: {LINES // 10:,} then {LINES:,} lines")
        harness.set_up_program(env)
        rows = []
        runs = 1 if not harness.QUICK and LINES >= 1_000_000 else harness.RUNS
        for run in range(1, runs + 1):
            load = harness.announce_run(run, backend.label)
            figures = []
            for size in (LINES // 10, LINES):
                path = write_file(backend.folder / f"r{run}-{size}.csv", size, f"r{run}s{size}")
                seconds, peak_kb = import_file(env, path)
                path.unlink()
                rate = harness.per_second(size, seconds)
                peak = f"{peak_kb / 1024:.0f} MB"
                print(f"{size:,} lines in {seconds:.1f} s = {rate:,.0f} lines/s, peak {peak}")
                figures.append((size, rate, peak_kb))
            (small, small_rate, small_peak), (large, large_rate, large_peak) = figures
            rows.append(
                [
                    f"{run} ({backend.label})",
                    load,
                    f"{small:,}: {small_rate:,.0f} lines/s, {small_peak / 1024:.0f} MB",
                    f"{large:,}: {large_rate:,.0f} lines/s, {large_peak / 1024:.0f} MB",
                    "peak memory of the larger file within 10 % of the smaller",
                    harness.verdict(large_peak <= small_peak * 1.1),
                ]
            )
        table = harness.print_table(
            ["CSV run", "load before", "smaller file", "larger file", "target", "result"], rows
        )
        harness.record("csv_import", backend.label, table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
