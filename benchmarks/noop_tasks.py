"""The limit of the dispatch benchmark: a Celery task that does nothing, loaded by the same
worker (`celery -A feedback.worker worker --include benchmarks.noop_tasks`) on the same broker
with the same settings as the dispatch tasks."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task

NOOP = "benchmarks.noop"
MARK = "benchmarks.mark"


@shared_task(name=NOOP)
def noop() -> None:
    """Nothing at all: what a task costs the broker and the worker."""


@shared_task(name=MARK)
def mark(path: str) -> None:
    """Touch a file: sent after the no-op tasks, it tells the benchmark they have run."""
    Path(path).touch()
