"""Client groups: the reportable attributes of a contact event, encoded as one text key.

A fact row's `client_group` is the JSON object of the event's attributes that its program
declares reportable (Program.reportable_attributes), with sorted keys, compact separators, each
value as a string cut to VALUE_LENGTH characters, and absent attributes left out: "{}" when
none is given. The same encoding is written in SQL by the fact builder
(:func:`feedback.reporting.facts.build.client_group`); this module is its reference in Python.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from feedback.programs.services import ATTRIBUTE_NAME

__all__ = ["ATTRIBUTE_NAME", "VALUE_LENGTH", "decode", "encode", "valid_names"]

#: A value longer than this is cut (keeps the key within its column).
VALUE_LENGTH = 64


def valid_names(names: Iterable[Any]) -> list[str]:
    """The well-formed attribute names among `names`, sorted, without repeats."""
    return sorted({n for n in names if isinstance(n, str) and ATTRIBUTE_NAME.fullmatch(n)})


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def encode(attributes: Mapping[str, Any], reportable: Iterable[str]) -> str:
    """The client group key of an event's `attributes` for a program's `reportable` names."""
    kept = {
        name: _text(attributes[name])[:VALUE_LENGTH]
        for name in valid_names(reportable)
        if attributes.get(name) is not None
    }
    return json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def decode(key: str) -> dict[str, str]:
    """The attribute values of a client group key ({} for a malformed one)."""
    try:
        value = json.loads(key)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
