"""The cipher of contact details at rest (email addresses, phone numbers) under
DATA_ENCRYPTION_KEYS.

Values are written with AES-256-GCM (``cryptography``'s AEAD), under a key derived by HKDF from
each configured key, with a random 96-bit nonce: about 1.5 µs a value, where Fernet
(AES-128-CBC + HMAC-SHA256, with its timestamp) took about 15 µs. Every invitation scheduled on
a channel that needs an address holds one, so that was 15 ms of a batch of 1,000 such events.
Values written with Fernet before (the only format until then) still read, and
`feedback privacy rotate-keys` rewrites them.

A stored value is the URL-safe base64 of: a version byte (2), the key's id (4 bytes of a hash of
the configured key, so that decryption tries one key, not each in turn), the nonce (12 bytes),
then the ciphertext and its 16-byte tag. A Fernet token's first byte is 0x80.

Random 96-bit nonces are safe for about 2^32 values under one key (NIST SP 800-38D); contact
details live days, and a key is rotated long before a department sends billions of invitations.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = 2
_FERNET_VERSION = 0x80
_INFO = b"feedback: contact details at rest, AES-256-GCM"
_HEADER = 1 + 4 + 12  # version, key id, nonce


def key_id(key: str) -> bytes:
    """Four bytes naming a configured key in the values it encrypts (not secret: a hash)."""
    return hashlib.sha256(b"feedback data key id:" + key.encode()).digest()[:4]


def _aead_key(key: str) -> bytes:
    """The AES-256 key of a configured (Fernet) key: HKDF-SHA256 over its 32 bytes, so that the
    same bytes never serve two algorithms."""
    raw = base64.urlsafe_b64decode(key.encode())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(raw)


class DataCipher:
    """Encrypts with the first of `keys`, decrypts with any of them (and Fernet tokens)."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one data encryption key is needed")
        self._first_id = key_id(keys[0])
        self._first = AESGCM(_aead_key(keys[0]))
        self._by_id: dict[bytes, AESGCM] = {}
        for key in reversed(keys):  # on a clash of ids (2^-32), the earlier key wins
            self._by_id[key_id(key)] = AESGCM(_aead_key(key))
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(12)
        sealed = self._first.encrypt(nonce, plain.encode(), None)
        header = bytes((VERSION,)) + self._first_id + nonce
        return base64.urlsafe_b64encode(header + sealed).decode()

    def decrypt(self, token: str) -> str:
        """The plain text; :class:`InvalidToken` when no configured key opens the value."""
        try:
            raw = base64.urlsafe_b64decode(token.encode())
        except ValueError as error:
            raise InvalidToken from error
        if raw[:1] == bytes((_FERNET_VERSION,)):
            return self._fernet.decrypt(token.encode()).decode()
        if len(raw) < _HEADER + 16 or raw[0] != VERSION:
            raise InvalidToken
        aead = self._by_id.get(raw[1:5])
        if aead is None:
            raise InvalidToken
        try:
            return aead.decrypt(raw[5:17], raw[_HEADER:], None).decode()
        except InvalidTag as error:
            raise InvalidToken from error

    def rotate(self, token: str) -> str:
        """The value encrypted again with the first key, whatever key or format wrote it."""
        return self.encrypt(self.decrypt(token))
