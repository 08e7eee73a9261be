"""The request signature: HMAC-SHA256 over the timestamp and the body, with a shared secret.

    X-Feedback-Timestamp: 1763885100
    X-Feedback-Signature: v1=<hex of HMAC-SHA256(secret, "1763885100." + body)>

A request is accepted once, within TOLERANCE of its timestamp (either way): an old or replayed
request is refused, and so is one whose body or timestamp changed on the way.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Feedback-Timestamp"
SIGNATURE_HEADER = "X-Feedback-Signature"
VERSION = "v1"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Feedback-Signature value of `body` sent at `timestamp` (Unix seconds)."""
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


class Refused(Exception):
    """Why a request is not accepted (the message is safe to return to the caller)."""


def verify(
    secret: str,
    timestamp_header: str | None,
    signature: str | None,
    body: bytes,
    now: int,
    tolerance: int,
) -> int:
    """The request's timestamp if its signature holds and it is recent; Refused otherwise.

    The signature is compared in constant time. Replays within the window are the caller's
    to refuse (they need a store shared by every process).
    """
    if not timestamp_header or not timestamp_header.isdigit():
        raise Refused(f"The {TIMESTAMP_HEADER} header is missing or not a Unix time.")
    timestamp = int(timestamp_header)
    if abs(now - timestamp) > tolerance:
        raise Refused(f"The {TIMESTAMP_HEADER} header is more than {tolerance} s from now.")
    expected = sign(secret, timestamp, body)
    if not signature or not hmac.compare_digest(expected.encode(), signature.encode()):
        raise Refused(f"The {SIGNATURE_HEADER} header is missing or not valid.")
    return timestamp
