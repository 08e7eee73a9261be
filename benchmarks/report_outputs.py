"""The report's outputs on PostgreSQL, after the facts benchmark (report_facts.py) in the same run:
the quarter report and the de-identified response-level export, each beside its limit.

Runs report_facts.main (the generated responses, the bare GROUP BY, the rebuild and the
incremental update: their rows come first) with two more measurements:

- the quarter report, from the facts as they are: the comments are coded first
  (`themes.store.code_new()`, what the periodic task does after the facts' update; timed for
  information), then `compose.build_all` for English and French (one reading of the facts, one
  disclosure control) and `render.pdf.write` of both documents; limit 10 s. The HTML pages, the
  CSV and the XLSX of the same documents are timed for information.
- the response-level export (`export.stream_responses`) of the first half of the generated days,
  then of all of them, each written to a file by a child process of its own, which reports its
  time and its peak resident memory (VmHWM). Limits: the whole period within 60 s per
  1,000,000 responses, scaled to the responses it holds (the run's size and the update's 10,000:
  3.6 s for 60,000), and constant memory: the peak of the whole period less than 10 % above the
  peak of the half (the rows read beyond the half add nothing).

The load average (1, 5 and 15 minutes) before each measurement is printed in its row.
Run: `make bench-report` (or `python benchmarks/report_outputs.py [RESPONSES]`;
BENCH_REPORT_RESPONSES, default 1,000,000; BENCH_QUICK=1: 50,000).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import harness
import report_facts
from report_facts import Bench, Result, timed

LANGUAGES = ("en", "fr")
#: A quarter: the last 92 days of the generated ones, today included.
QUARTER_DAYS = 92
REPORT_LIMIT = 10.0
#: Seconds for the export of the whole period per 1,000,000 responses.
EXPORT_LIMIT = 60.0
#: How much more the peak memory of the whole period's export may be than the half's.
MEMORY_GROWTH = 0.10
#: A page object of a PDF (not the /Pages tree).
_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def _load() -> str:
    return f"load {harness.load()}"


def measure_report(bench: Bench) -> list[Result]:
    """Code the comments (information), then both documents of the quarter and their PDFs
    (limit), then the HTML, CSV and XLSX of the same documents (information)."""
    from feedback.extensions import db
    from feedback.reporting.compose import ReportOptions, build_all
    from feedback.reporting.render import html, pdf, tables
    from feedback.reporting.themes import store

    today = bench.now.date()
    options = ReportOptions(today - timedelta(days=QUARTER_DAYS - 1), today)
    load = _load()
    coded: dict[str, int] = {}

    def code_comments() -> None:
        coded["count"] = store.code_new()
        db.session.commit()

    coding_seconds = timed(code_comments)
    results = [
        Result(
            f"coding the new comments, {coded['count']:,} ({load})",
            coding_seconds,
            "(information: the periodic task, before any report)",
            None,
        )
    ]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        out = Path(folder)
        load = _load()
        start = time.perf_counter()
        documents = build_all(options, LANGUAGES)
        composed = time.perf_counter() - start
        for language, document in documents.items():
            pdf.write(document, out / f"report-{language}.pdf")
        report_seconds = time.perf_counter() - start
        db.session.rollback()
        results.append(
            Result(
                f"quarter report {options.date_from} to {options.date_to}: both documents "
                f"(compose {composed:.2f} s) and both PDFs ({_sizes(out, 'pdf')}) "
                f"({load})",
                report_seconds,
                f"<= {REPORT_LIMIT:.0f} s",
                report_seconds <= REPORT_LIMIT,
            )
        )
        load = _load()

        def write_html() -> None:
            for language, document in documents.items():
                (out / f"report-{language}.html").write_text(html.render(document), "utf-8")

        def write_tables() -> None:
            for language, document in documents.items():
                tables.write_csv(document, out / f"report-{language}.csv")

        def write_xlsx() -> None:
            for language, document in documents.items():
                tables.write_xlsx(document, out / f"report-{language}.xlsx")

        for name, action, suffix in (
            ("HTML pages", write_html, "html"),
            ("CSV tables", write_tables, "csv"),
            ("XLSX workbooks", write_xlsx, "xlsx"),
        ):
            seconds = timed(action)
            results.append(
                Result(
                    f"quarter report: both {name} ({_sizes(out, suffix)}) ({load})",
                    seconds,
                    "(information)",
                    None,
                )
            )
    return results


def _sizes(folder: Path, suffix: str) -> str:
    """The language, size (and pages of a PDF) of each file written."""
    sizes = []
    for path in sorted(folder.glob(f"*.{suffix}")):
        data = path.read_bytes()
        pages = f", {len(_PAGE.findall(data))} pages" if suffix == "pdf" else ""
        sizes.append(f"{path.stem[-2:]} {len(data) / 1024:,.0f} KB{pages}")
    return "; ".join(sizes)


def measure_export(bench: Bench) -> list[Result]:
    """The export of half the generated days, then of all of them, each in a child process."""
    today = bench.now.date()
    first = today - timedelta(days=report_facts.DAYS)
    half = today - timedelta(days=report_facts.DAYS // 2)
    results = []
    peaks = []
    own = []  # the peak above the child's own before the export (the app and its imports)
    for date_from, date_to, what in ((first, half, "first half"), (first, today, "whole")):
        load = _load()
        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
            done = _export_in_child(date_from, date_to, Path(folder) / "responses.csv")
        peaks.append(done["peak_kb"])
        own.append(done["peak_kb"] - done["start_kb"])
        whole = what == "whole"
        limit = EXPORT_LIMIT * done["responses"] / 1_000_000
        results.append(
            Result(
                f"response-level export, {what} of the period ({date_from} to {date_to}): "
                f"{done['responses']:,} responses (CSV rows), {done['bytes'] / 1e6:,.1f} MB; "
                f"peak RSS {done['peak_kb'] / 1024:.0f} MB "
                f"(before the export {done['start_kb'] / 1024:.0f} MB) ({load})",
                done["seconds"],
                f"<= {EXPORT_LIMIT:.0f} s per 1,000,000 responses ({limit:.1f} s for "
                f"{done['responses']:,})"
                if whole
                else "(information)",
                done["seconds"] <= limit if whole else None,
            )
        )
    growth = peaks[1] / peaks[0] - 1
    results.append(
        Result(
            f"export's peak RSS, whole period against its first half: {growth:+.1%} "
            f"({peaks[0] / 1024:.0f} MB -> {peaks[1] / 1024:.0f} MB; above the app's own: "
            f"{own[0] / 1024:.0f} MB -> {own[1] / 1024:.0f} MB)",
            0.0,
            f"constant memory: < +{MEMORY_GROWTH:.0%}",
            growth < MEMORY_GROWTH,
        )
    )
    return results


def _export_in_child(date_from: date, date_to: date, path: Path) -> dict[str, int | float]:
    """Run the export in a fresh process (its own peak memory); what it reports."""
    done = subprocess.run(
        [sys.executable, __file__, "--export", str(date_from), str(date_to), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the export failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def _peak_kb() -> int:
    """The process's peak resident memory so far (VmHWM), in KB."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))


def export_child(date_from: str, date_to: str, path: str) -> None:
    """The child: the app, then the export written to `path`; prints a JSON line of figures."""
    from feedback import create_app
    from feedback.extensions import db
    from feedback.reporting.export import stream_responses
    from feedback.reporting.facts.read import Scope

    app = create_app()
    with app.app_context():
        scope = Scope(date.fromisoformat(date_from), date.fromisoformat(date_to))
        start_kb = _peak_kb()
        responses = []
        start = time.perf_counter()
        with open(path, "w", encoding="utf-8", newline="") as out:
            for chunk in stream_responses(scope, written=responses.append):
                out.write(chunk)
        seconds = time.perf_counter() - start
        db.session.rollback()
    figures = {
        "seconds": seconds,
        "responses": sum(responses),
        "bytes": Path(path).stat().st_size,
        "start_kb": start_kb,
        "peak_kb": _peak_kb(),
    }
    print(json.dumps(figures))


def main() -> int:
    responses = int(sys.argv[1]) if len(sys.argv) > 1 else report_facts.RESPONSES
    print(f"report benchmark: load average {harness.load()} (1/5/15 min, {os.cpu_count()} cores)")
    return 0 if report_facts.main(responses, extra=[measure_report, measure_export]) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--export"]:
        export_child(*sys.argv[2:5])
    else:
        sys.exit(main())
