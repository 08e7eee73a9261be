"""Keyed hashes and one-time tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from functools import lru_cache

from flask import current_app


@lru_cache(maxsize=8)
def _keyed(key: str) -> hmac.HMAC:
    """The HMAC state after the key: copied for each value (a batch hashes thousands)."""
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value under CLIENT_HASH_KEY, separated by purpose."""
    state = _keyed(current_app.config["CLIENT_HASH_KEY"]).copy()
    state.update(f"{purpose}:{value.strip().lower()}".encode())
    return state.hexdigest()


def keyed_hasher(purpose: str) -> Callable[[str], str]:
    """`keyed_hash(value, purpose)` for many values (an export hashes millions): the app's key
    is read once."""
    state = _keyed(current_app.config["CLIENT_HASH_KEY"])
    prefix = f"{purpose}:"

    def hashed(value: str) -> str:
        copy = state.copy()
        copy.update((prefix + value.strip().lower()).encode())
        return copy.hexdigest()

    return hashed


def client_hash(reference: str) -> str:
    return keyed_hash(reference, "client")


def address_hash(address: str) -> str:
    return keyed_hash(address, "address")


def new_token_salt() -> str:
    """128 random bits: what makes an invitation's survey token (see :func:`survey_token`)."""
    return secrets.token_hex(16)


def survey_token(invitation_id: str, salt: str) -> str:
    """An invitation's survey token: HMAC-SHA256 under SECRET_KEY of its id and its random salt,
    URL-safe (43 characters).

    The same for every attempt to send the invitation, so that a message a provider accepted
    before a fault (a timeout after acceptance, a worker killed before it recorded the send)
    still carries a working link when the invitation is found sent, or sent again. The database
    holds the salt and the token's hash, never the token; computing one takes the key as well.
    """
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"survey:{invitation_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """Tokens are random, so a plain SHA-256 is enough to keep them out of the database."""
    return hashlib.sha256(token.encode()).hexdigest()
