"""Locale selection: an explicit choice, then the client's survey language, then the browser."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session

SUPPORTED = ("en", "fr")


def select_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang")
    if chosen in SUPPORTED:
        if session.get("lang") != chosen:  # an unchanged session is not sent again
            session["lang"] = chosen
        return chosen
    if session.get("lang") in SUPPORTED:
        return session["lang"]
    if getattr(g, "survey_language", None) in SUPPORTED:
        return g.survey_language
    return (
        request.accept_languages.best_match(SUPPORTED) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def select_timezone() -> str:
    return "UTC"


def other_language(language: str) -> str:
    return "fr" if language == "en" else "en"


def current_locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "en"
