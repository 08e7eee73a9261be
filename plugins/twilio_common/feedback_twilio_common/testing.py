"""The base of the local stand-ins for Twilio's REST API, for tests (and offline trials).

A stand-in speaks Twilio's shapes: one resource list under ``/2010-04-01/Accounts/{AccountSid}/``,
form-encoded POSTs, HTTP Basic authentication with the account SID and auth token, and Twilio's
error JSON (``code``, ``message``, ``more_info``, ``status``). Point a channel at it with
``TWILIO_BASE_URL = standin.base_url``.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import ClassVar

from werkzeug.wrappers import Request, Response

from feedback.channels.testing import HttpStandIn

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def new_account_sid() -> str:
    return "AC" + secrets.token_hex(16)


def twilio_error(status: int, code: int, message: str) -> Response:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Response(json.dumps(body), status=status, mimetype="application/json")


@dataclass
class TwilioApiStandIn(HttpStandIn):
    """Twilio's API for one account; a subclass names its resource list and creates resources."""

    #: The resource list's path, with the account SID as the group ``sid``.
    resource: ClassVar[re.Pattern[str]]

    account_sid: str = field(default_factory=new_account_sid)
    auth_token: str = field(default_factory=lambda: secrets.token_hex(16))

    def _refusal(self, request: Request) -> Response | None:
        """Twilio's answer to a request for anything else, or with the wrong credentials."""
        match = self.resource.match(request.path)
        if request.method != "POST" or match is None:
            return twilio_error(404, 20404, "The requested resource was not found")
        auth = request.authorization
        if (
            match["sid"] != self.account_sid
            or auth is None
            or (auth.username, auth.password) != (self.account_sid, self.auth_token)
        ):
            return twilio_error(401, 20003, "Authenticate")
        return None
