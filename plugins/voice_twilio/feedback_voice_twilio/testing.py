"""A local stand-in for Twilio's Calls API, for tests (and for trying call-backs offline).

It speaks the real shapes: ``POST /2010-04-01/Accounts/{AccountSid}/Calls.json``, form-encoded,
HTTP Basic authentication with the account SID and auth token, a 201 JSON call resource on
success, and Twilio's error JSON (``code``, ``message``, ``more_info``, ``status``) otherwise.
It places no call: a test plays Twilio's part by requesting the call's ``Url`` itself. Point
the channel at it with ``TWILIO_BASE_URL = standin.base_url``.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from email.utils import formatdate

from feedback_twilio_common.testing import E164, TwilioApiStandIn, twilio_error
from werkzeug.wrappers import Request, Response


@dataclass
class TwilioCallsStandIn(TwilioApiStandIn):
    """A Calls API on 127.0.0.1 that accepts the calls of one account and keeps them."""

    resource = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Calls\.json$")

    #: Every accepted call, as the form fields it was posted with (plus its "Sid").
    calls: list[dict[str, str]] = field(default_factory=list)
    #: (status, code) refusals to answer the next requests with, in order.
    failures: list[tuple[int, int]] = field(default_factory=list)

    def _handle(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        if self.failures:
            status, code = self.failures.pop(0)
            return twilio_error(status, code, "refused")
        form = request.form.to_dict()
        if not E164.match(form.get("To", "")):
            return twilio_error(400, 21211, "The 'To' number is not a valid phone number.")
        if not E164.match(form.get("From", "")):
            return twilio_error(400, 21212, "The 'From' number is not a valid phone number.")
        if not form.get("Url", "").startswith(("http://", "https://")):
            return twilio_error(400, 21205, "Url is not a valid URL.")
        sid = "CA" + secrets.token_hex(16)
        self.calls.append({**form, "Sid": sid})
        now = formatdate(usegmt=True)
        resource = {
            "account_sid": self.account_sid,
            "answered_by": None,
            "api_version": "2010-04-01",
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "duration": None,
            "from": form["From"],
            "sid": sid,
            "status": "queued",
            "to": form["To"],
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json",
        }
        return Response(json.dumps(resource), status=201, mimetype="application/json")
