"""A local stand-in for Twilio's Messages API, for tests (and for trying the plugin offline).

It speaks the real shapes: ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded,
HTTP Basic authentication with the account SID and auth token, a 201 JSON message resource on
success, and Twilio's error JSON (``code``, ``message``, ``more_info``, ``status``) otherwise.
Point the channel at it with ``TWILIO_BASE_URL = standin.base_url``.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from email.utils import formatdate

from feedback_twilio_common.testing import E164, TwilioApiStandIn, twilio_error
from werkzeug.wrappers import Request, Response


@dataclass
class Failure:
    status: int
    code: int
    message: str


@dataclass
class TwilioStandIn(TwilioApiStandIn):
    """A Twilio API on 127.0.0.1 that accepts the messages of one account and keeps them."""

    resource = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")

    #: Every accepted message, as the form fields it was posted with.
    messages: list[dict[str, str]] = field(default_factory=list)
    #: Refusals to answer the next requests with, in order (see `refuse_next`).
    failures: list[Failure] = field(default_factory=list)
    #: Set to hold every request until released: a client timeout in tests.
    hold: threading.Event | None = None

    def refuse_next(self, status: int, code: int, message: str = "refused") -> None:
        self.failures.append(Failure(status, code, message))

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        super().stop()

    def _handle(self, request: Request) -> Response:
        if self.hold is not None:
            self.hold.wait()
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        if self.failures:
            failure = self.failures.pop(0)
            return twilio_error(failure.status, failure.code, failure.message)
        form = request.form.to_dict()
        to = form.get("To", "")
        if not E164.match(to):
            return twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return twilio_error(400, 21603, "The 'From' phone number is required.")
        if not form.get("Body"):
            return twilio_error(400, 21602, "Message body is required.")
        self.messages.append(form)
        sid = "SM" + secrets.token_hex(16)
        now = formatdate(usegmt=True)
        resource = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": form["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if form.get("MessagingServiceSid") else "queued",
            "subresource_uris": {
                "media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": to,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }
        return Response(json.dumps(resource), status=201, mimetype="application/json")
