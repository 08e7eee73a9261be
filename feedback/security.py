"""Keyed hashes and one-time tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value under CLIENT_HASH_KEY, separated by purpose."""
    key = current_app.config["CLIENT_HASH_KEY"].encode()
    message = f"{purpose}:{value.strip().lower()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def client_hash(reference: str) -> str:
    return keyed_hash(reference, "client")


def address_hash(address: str) -> str:
    return keyed_hash(address, "address")


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Tokens are random, so a plain SHA-256 is enough to keep them out of the database."""
    return hashlib.sha256(token.encode()).hexdigest()
