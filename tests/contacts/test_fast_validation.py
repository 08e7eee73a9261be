"""The fast paths of validation must agree with the slow ones they spare.

The compiled validator (jsonschema-rs) only decides that an event is valid; an event it refuses
is checked again by jsonschema, which says why. So it must accept nothing that jsonschema
refuses: checked here character by character for the text patterns, and on arbitrary events.
An address of the common shape skips email-validator: it must be one email-validator accepts,
normalised the same way."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest
from email_validator import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.contacts.schema import NON_BLANK_TEXT, SAFE_TEXT
from feedback.contacts.validation import Limits, _fast_valid, _plain_email, _validator, bad_text
from tests.contacts.test_ingest_properties import SETTINGS, junk
from tests.factories import event_payload

#: Every character below U+3001 (where the white space and control characters are), and the
#: others that some engine calls white space.
CHARACTERS = [chr(c) for c in range(0x3001) if not 0xD800 <= c <= 0xDFFF] + ["\ufeff", "\U0001f600"]


def test_the_text_patterns_accept_no_character_that_python_refuses():
    for pattern in (NON_BLANK_TEXT, SAFE_TEXT):
        compiled = jsonschema_rs.Draft202012Validator({"type": "string", "pattern": pattern})
        python = re.compile(pattern)
        laxer = [
            hex(ord(c))
            for c in CHARACTERS
            for text in (c, f"a{c}b")
            if compiled.is_valid(text) and not python.search(text)
        ]
        assert not laxer, (pattern, laxer)


@SETTINGS
@given(event=junk())
def test_an_event_the_fast_validator_accepts_is_valid_for_jsonschema(event: Any):
    limits = Limits()
    if isinstance(event, dict) and _fast_valid(event, limits):
        assert not list(_validator(limits).iter_errors(event))
        assert not bad_text(event)  # which validation then does not run


@pytest.mark.parametrize("bad", ["a\x00b", "a\n", "\x7f", "a\ud800"])
@pytest.mark.parametrize(
    "path",
    [
        "source",
        "external_id",
        "program",
        "contact_type",
        "client.reference",
        "client.email",
        "client.phone",
        "attributes.note",
        "attributes.<key>",
    ],
)
def test_the_fast_validator_refuses_what_bad_text_refuses(path: str, bad: str):
    event = event_payload(1, attributes={"note": "x"})
    if path == "attributes.<key>":
        event["attributes"] = {bad: "x"}
    else:
        parent, _, name = path.rpartition(".")
        (event[parent] if parent else event)[name] = bad
    assert bad_text(event)
    assert not _fast_valid(event, Limits())


LOCAL = st.text("aZ09_%+-.!é", min_size=0, max_size=70)
LABEL = st.text("aZ09-é", min_size=0, max_size=66) | st.sampled_from(
    ["xn--bcher-kva", "ab--cd", "test", "local", "localhost", "onion", "arpa", "invalid", "1"]
)
ADDRESS = st.builds(
    lambda local, labels: f"{local}@{'.'.join(labels)}",
    LOCAL,
    st.lists(LABEL, min_size=1, max_size=4),
) | st.sampled_from(
    ["Ab.C+d@ExAmple.ORG", "a@b.co", "a" * 65 + "@x.org", "a@" + "b" * 250 + ".org"]
)


@settings(max_examples=2000, deadline=None)
@given(address=ADDRESS)
def test_the_fast_email_path_agrees_with_email_validator(address: str):
    plain = _plain_email(address)
    if plain is not None:
        assert validate_email(address, check_deliverability=False).normalized == plain
