"""Reading a JSON request body as a hostile client may send it.

The size is capped by Flask (MAX_CONTENT_LENGTH, 413 before anything is read); the nesting
depth is measured on what was parsed, or on the bytes when they could not be parsed (too deep
for the parser's recursion, or not JSON), so a body nested too deep is refused as such either
way; numbers that are not finite (NaN,
Infinity, 1e400) or absurdly long integers become `NOT_FINITE`, a value no schema type accepts,
so only the item holding one is refused and the rest of a batch is kept.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from feedback.errors import ApiError


class _NotFinite:
    """A number JSON cannot carry faithfully; fails every JSON Schema type check."""

    def __repr__(self) -> str:
        return "<not a finite number>"


NOT_FINITE: Any = _NotFinite()
#: Digits beyond which an integer is not read at all (Python refuses over 4,300).
MAX_INT_DIGITS = 64

#: A JSON string (an unterminated one runs to the end): skipped whole by the regex engine.
_STRING = re.compile(rb'"(?:[^"\\]+|\\.)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_OPEN = frozenset(b"[{")


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """Whether arrays and objects nest deeper than `limit` (brackets inside strings ignored).

    The strings are cut out and every byte but brackets dropped in C first: only the brackets
    are counted in Python (a 1,000-event batch has a few thousand, and some 300,000 bytes)."""
    depth = 0
    for byte in _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        if byte in _OPEN:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _nests_deeper(value: Any, limit: int) -> bool:
    """Whether the arrays and objects of a parsed body nest deeper than `limit`: one level at
    a time, each container looked at once (a 1,000-event batch has a few thousand)."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        inner: list[Any] = []
        for container in level:
            items = container.values() if isinstance(container, dict) else container
            inner.extend(item for item in items if isinstance(item, dict | list))
        level = inner
    return False


def _float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else NOT_FINITE


def _int(text: str) -> Any:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else NOT_FINITE


def _constant(_name: str) -> Any:
    return NOT_FINITE


def parse_json(raw: bytes, max_depth: int) -> Any:
    """The parsed body; ApiError 400 (not JSON) or 422 (nested too deep)."""
    try:
        text = raw.decode("utf-8-sig")
        body = json.loads(text, parse_float=_float, parse_int=_int, parse_constant=_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        if json_depth_exceeds(raw, max_depth):
            raise _too_deep(max_depth) from exc
        raise ApiError(
            400, "invalid_json", "the body must be JSON (Content-Type: application/json)"
        ) from exc
    if _nests_deeper(body, max_depth):
        raise _too_deep(max_depth)
    return body


def _too_deep(max_depth: int) -> ApiError:
    return ApiError(
        422,
        "too_deep",
        f"JSON nests at most {max_depth} levels of arrays and objects",
        {"": f"nests deeper than {max_depth} levels"},
    )
