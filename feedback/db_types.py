"""Column helpers shared by every area's models."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import DateTime, Text, TypeDecorator
from sqlalchemy.engine import Dialect

from feedback.config import derived_data_key
from feedback.data_keys import DataCipher


def utcnow() -> datetime:
    return datetime.now(UTC)


#: A hex digit's value with its two high bits set to 10: the variant of an RFC 4122 UUID.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_id() -> str:
    """Opaque identifiers exposed outside: UUID4 as text, portable across SQLite and PostgreSQL.

    Written from 16 random bytes as `str(uuid.uuid4())` would be, at a third of its cost (a
    batch of events makes two thousand)."""
    digits = os.urandom(16).hex()
    return (
        f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-"
        f"{_VARIANT[digits[16]]}{digits[17:20]}-{digits[20:]}"
    )


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> DataCipher:
    return DataCipher(keys)


def data_cipher() -> DataCipher:
    """The app's cipher (DATA_ENCRYPTION_KEYS): the first key encrypts, all decrypt.
    Without keys (allowed in development and testing only) one derived from SECRET_KEY."""
    keys = current_app.config.get("DATA_ENCRYPTION_KEYS") or [
        derived_data_key(current_app.config["SECRET_KEY"])
    ]
    return _cipher(tuple(keys))


class EncryptedText(TypeDecorator[str]):
    """Text encrypted at rest with the app's data keys (AES-256-GCM: :mod:`feedback.data_keys`).

    The stored value is random for each write, so it cannot be searched or compared in SQL:
    only keyed hashes (client_hash, address_hash) are looked up.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return data_cipher().encrypt(str(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return data_cipher().decrypt(value)
