"""gunicorn settings of the web process:
`gunicorn -c python:feedback.gunicorn_conf feedback.wsgi:app`.

Threads, not more processes: a signed webhook (an SMS reply, a keypad press) must be answered
within a second or two while an API client posts batches of 1,000 events that take seconds to
ingest. With `gthread` workers a long batch holds one thread, and the other threads of the same
process keep answering; the worker's heartbeat does not wait for a request, so `timeout` only
reaps a process that is truly stuck. Each value can be changed without editing this file:
`WEB_CONCURRENCY` (processes), `WEB_THREADS` (threads per process), `WEB_TIMEOUT` (seconds),
`BIND` (address), or any gunicorn option on the command line, which wins over this file.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
worker_class = "gthread"
#: One process per core, at least two: one crash or restart never leaves nobody listening.
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
#: Threads per process: requests mostly wait on the database, so several share one process.
threads = int(os.environ.get("WEB_THREADS", 8))
#: A worker silent this long is killed; well above the slowest batch (1,000 events).
timeout = int(os.environ.get("WEB_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
#: Recycle processes now and then (jitter so they do not all restart together).
max_requests = 5000
max_requests_jitter = 500
#: The app is built once, in the master, and the workers are forked from it: a worker recycled
#: above starts in milliseconds, where building the app again takes 2-3 s of CPU on one of the
#: two cores (docs/decisions.md, "A fast survey page"). Building the app opens no connection
#: (tests/test_web_process.py), so no socket is shared across the fork. New code needs a
#: restart of gunicorn: HUP forks new workers from the same preloaded app.
preload_app = True
#: No access log: a survey link's path is its one-time token, and logs never hold a token.
accesslog = None
#: The platform takes the public address from PUBLIC_BASE_URL, never from forwarded headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(_server: object, _worker: object) -> None:
    """Move what the master has built (the app, its modules, its caches) out of the garbage
    collector's sight before each fork: a worker's full collections then walk only what its
    requests made, not the whole preloaded app again (a 1,000-event batch allocates enough to
    set off several), and the pages the app lives on are not written to by the collector, so
    they stay shared between processes. Measured in docs/benchmarks.md (ingest)."""
    gc.freeze()
