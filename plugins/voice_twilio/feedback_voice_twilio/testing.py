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
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
CALLS = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Calls\.json$")


@dataclass
class TwilioCallsStandIn:
    """A Calls API on 127.0.0.1 that accepts the calls of one account and keeps them."""

    account_sid: str = field(default_factory=lambda: "AC" + secrets.token_hex(16))
    auth_token: str = field(default_factory=lambda: secrets.token_hex(16))
    #: Every accepted call, as the form fields it was posted with (plus its "Sid").
    calls: list[dict[str, str]] = field(default_factory=list)
    #: (status, code) refusals to answer the next requests with, in order.
    failures: list[tuple[int, int]] = field(default_factory=list)
    _server: Any = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> TwilioCallsStandIn:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> TwilioCallsStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @staticmethod
    def _error(status: int, code: int, message: str) -> Response:
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self._handle(Request(environ))(environ, start_response)

    def _handle(self, request: Request) -> Response:
        match = CALLS.match(request.path)
        if request.method != "POST" or match is None:
            return self._error(404, 20404, "The requested resource was not found")
        auth = request.authorization
        if (
            match["sid"] != self.account_sid
            or auth is None
            or (auth.username, auth.password) != (self.account_sid, self.auth_token)
        ):
            return self._error(401, 20003, "Authenticate")
        if self.failures:
            status, code = self.failures.pop(0)
            return self._error(status, code, "refused")
        form = request.form.to_dict()
        if not E164.match(form.get("To", "")):
            return self._error(400, 21211, "The 'To' number is not a valid phone number.")
        if not E164.match(form.get("From", "")):
            return self._error(400, 21212, "The 'From' number is not a valid phone number.")
        if not form.get("Url", "").startswith(("http://", "https://")):
            return self._error(400, 21205, "Url is not a valid URL.")
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
