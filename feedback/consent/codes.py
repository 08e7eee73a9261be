"""Unsubscribe codes: the signed invitation id in an unsubscribe link.

A code works after the survey link was used or the contact details were purged, and never
reveals anything: it is opaque to the client and verified with the app's secret key.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from feedback.extensions import db
from feedback.invitations.models import Invitation

_SALT = "unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_code(invitation_id: str) -> str:
    return _serializer().dumps(invitation_id)


def invitation_for_unsubscribe_code(code: str) -> Invitation | None:
    try:
        invitation_id = _serializer().loads(code)
    except BadSignature:
        return None
    return db.session.get(Invitation, invitation_id)
