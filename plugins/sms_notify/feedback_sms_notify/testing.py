"""A local stand-in for GC Notify's API, for tests (and for trying the plugin offline).

It speaks the real shapes: ``POST /v2/notifications/sms`` with a JSON body (phone_number,
template_id, personalisation, reference, sms_sender_id), authenticated by a JWT signed with the
API key's secret and issued by its service id (checked with the same function GC Notify's API
uses), a 201 answer with id, reference, content, uri and template, and errors as
``{"status_code": ..., "errors": [{"error": ..., "message": ...}]}``.
Point the channel at it with ``NOTIFY_BASE_URL = standin.base_url``.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError
from werkzeug.wrappers import Request, Response

from feedback.channels.testing import HttpStandIn

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
PLACEHOLDER = re.compile(r"\(\(([^)]+)\)\)")


@dataclass
class Failure:
    status: int
    error: str
    message: str


@dataclass
class NotifyStandIn(HttpStandIn):
    """A GC Notify API on 127.0.0.1 with one service, one key and one text template."""

    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    template_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    #: The template's content; GC Notify fills each ((placeholder)) from personalisation.
    template: str = "((message))"
    #: Every accepted notification: the request's JSON and the text as rendered.
    notifications: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    #: Seconds to wait after accepting a notification before answering: with more than the
    #: client's timeout, GC Notify has the text but the client never hears it.
    answer_after: float = 0.0

    @property
    def api_key(self) -> str:
        return f"feedback_test-{self.service_id}-{self.secret}"

    def refuse_next(self, status: int, error: str, message: str = "refused") -> None:
        self.failures.append(Failure(status, error, message))

    @staticmethod
    def _error(status: int, error: str, message: str) -> Response:
        body = {"status_code": status, "errors": [{"error": error, "message": message}]}
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def _authorised(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            return False
        try:
            return get_token_issuer(token) == self.service_id and decode_jwt_token(
                token, self.secret
            )
        except TokenError:
            return False

    def _list(self, request: Request) -> Response:
        """GET /v2/notifications, filtered by `reference` as GC Notify filters it."""
        reference = request.args.get("reference")
        found = [
            {"id": item["id"], "reference": item.get("reference"), "type": "sms"}
            for item in self.notifications
            if reference is None or item.get("reference") == reference
        ]
        return Response(
            json.dumps({"notifications": found, "links": {}}), mimetype="application/json"
        )

    def _handle(self, request: Request) -> Response:
        if request.method == "GET" and request.path == "/v2/notifications":
            if not self._authorised(request):
                return self._error(403, "AuthError", "Invalid token: API key not found")
            return self._list(request)
        if request.method != "POST" or request.path != "/v2/notifications/sms":
            return self._error(404, "NotFound", "The requested URL was not found on the server.")
        if not self._authorised(request):
            return self._error(403, "AuthError", "Invalid token: API key not found")
        if self.failures:
            failure = self.failures.pop(0)
            return self._error(failure.status, failure.error, failure.message)
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return self._error(400, "BadRequestError", "Invalid JSON supplied in POST data")
        if not E164.match(str(data.get("phone_number", ""))):
            return self._error(400, "ValidationError", "phone_number Not a valid phone number")
        if data.get("template_id") != self.template_id:
            return self._error(400, "BadRequestError", "Template not found")
        personalisation = data.get("personalisation") or {}
        missing = [n for n in PLACEHOLDER.findall(self.template) if n not in personalisation]
        if missing:
            return self._error(400, "BadRequestError", f"Missing personalisation: {missing[0]}")
        body = PLACEHOLDER.sub(lambda m: str(personalisation[m.group(1)]), self.template)
        notification_id = str(uuid.uuid4())
        self.notifications.append({**data, "body": body, "id": notification_id})
        if self.answer_after:
            time.sleep(self.answer_after)
        answer = {
            "id": notification_id,
            "reference": data.get("reference"),
            "content": {"body": body, "from_number": "GC Notify"},
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {
                "id": self.template_id,
                "version": 1,
                "uri": f"{self.base_url}/v2/template/{self.template_id}",
            },
            "scheduled_for": None,
        }
        return Response(json.dumps(answer), status=201, mimetype="application/json")
