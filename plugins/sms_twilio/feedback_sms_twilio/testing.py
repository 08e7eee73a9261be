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
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MESSAGES = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")


def new_account_sid() -> str:
    return "AC" + secrets.token_hex(16)


@dataclass
class Failure:
    status: int
    code: int
    message: str


@dataclass
class TwilioStandIn:
    """A Twilio API on 127.0.0.1 that accepts the messages of one account and keeps them."""

    account_sid: str = field(default_factory=new_account_sid)
    auth_token: str = field(default_factory=lambda: secrets.token_hex(16))
    #: Every accepted message, as the form fields it was posted with.
    messages: list[dict[str, str]] = field(default_factory=list)
    #: Refusals to answer the next requests with, in order (see `refuse_next`).
    failures: list[Failure] = field(default_factory=list)
    #: Set to hold every request until released: a client timeout in tests.
    hold: threading.Event | None = None
    _server: Any = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def refuse_next(self, status: int, code: int, message: str = "refused") -> None:
        self.failures.append(Failure(status, code, message))

    def start(self) -> TwilioStandIn:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.hold is not None:
            self.hold.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> TwilioStandIn:
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
        request = Request(environ)
        return self._handle(request)(environ, start_response)

    def _handle(self, request: Request) -> Response:
        if self.hold is not None:
            self.hold.wait()
        match = MESSAGES.match(request.path)
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
            failure = self.failures.pop(0)
            return self._error(failure.status, failure.code, failure.message)
        form = request.form.to_dict()
        to = form.get("To", "")
        if not E164.match(to):
            return self._error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return self._error(400, 21603, "The 'From' phone number is required.")
        if not form.get("Body"):
            return self._error(400, 21602, "Message body is required.")
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
