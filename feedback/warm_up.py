"""What a web process would otherwise build on its first requests, built once before it forks.

gunicorn builds the app in its master (`preload_app`) and forks the workers from it, also when
it replaces a worker (`max_requests`). Whatever the master has not built, each new worker builds
on its first requests, in all its threads at once under one interpreter lock: compiling the
templates and loading both languages' catalogs took some 35 ms a request, and a replaced worker
answered its first survey pages 200-300 ms late (docs/benchmarks.md, the survey page). Built
here, they are inherited by every worker, shared by fork.

No connection is opened: what needs the database (each version's page) is built on first use.
"""

from __future__ import annotations

from babel import Locale
from flask import Flask
from flask_babel import force_locale, get_translations

from feedback.i18n import SUPPORTED


def warm_up(app: Flask) -> None:
    """Compile every template and load the catalogs and locale data of every language."""
    for name in app.jinja_env.list_templates(extensions=("html", "txt", "xml")):
        app.jinja_env.get_template(name)
    with app.test_request_context("/"):
        for language in SUPPORTED:
            with force_locale(language):
                get_translations()
            Locale.parse(language).number_symbols  # noqa: B018 - loads the locale's data
