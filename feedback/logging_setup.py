"""Structured (JSON) logs that never carry an email address, a phone number or a token."""

from __future__ import annotations

import json
import logging
import re
import time

from flask import Flask

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# E.164, or North American forms such as (613) 555-0100 / 613.555.0100 (not IP addresses).
_PHONE = re.compile(r"\+\d[\d ().-]{6,}\d|\(?\b\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b")
_TOKEN_PATH = re.compile(r"/(s|u)/[\w.-]{16,}")
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)


def scrub(text: str) -> str:
    text = _EMAIL.sub("<email>", text)
    text = _TOKEN_PATH.sub(r"/\1/<token>", text)
    text = _BEARER.sub(r"\1<secret>", text)
    return _PHONE.sub("<phone>", text)


class JsonFormatter(logging.Formatter):
    converter = time.gmtime  # timestamps in UTC, marked with Z

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for key, value in getattr(record, "fields", {}).items():
            payload[key] = scrub(str(value))
        if record.exc_info:
            payload["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)


class ScrubFilter(logging.Filter):
    """For handlers we do not own (werkzeug's access log shows survey URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = ()
        return True


def configure(app: Flask) -> None:
    root = logging.getLogger("feedback")
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False
    logging.getLogger("werkzeug").addFilter(ScrubFilter())
