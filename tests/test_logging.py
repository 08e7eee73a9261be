"""Logs never carry an email address, a phone number, a survey token or a bearer key."""

from __future__ import annotations

import json
import logging

from feedback.logging_setup import JsonFormatter, scrub


def test_scrub_removes_personal_data_and_secrets_but_not_addresses_of_servers():
    text = (
        "to jane.doe+x@example.gc.ca, sms +1 613 555 0100 or (613) 555-0100, "
        "GET /s/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5 and /u/abc.def-ghi_jklmnopqrst, "
        "Authorization: Bearer fbk_abc_secret; listening on http://127.0.0.1:59677"
    )
    clean = scrub(text)
    for secret in ("jane.doe", "555", "Zm9vYmFy", "abc.def", "fbk_abc_secret"):
        assert secret not in clean
    assert "http://127.0.0.1:59677" in clean
    assert "/s/<token>" in clean and "Bearer <secret>" in clean


def test_json_formatter_scrubs_fields_too():
    record = logging.LogRecord(
        "feedback.x", logging.INFO, __file__, 1, "sent to %s", ("a@b.org",), None
    )
    record.fields = {"to": "+16135550100", "channel": "email"}
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "sent to <email>"
    assert line["to"] == "<phone>" and line["channel"] == "email"
