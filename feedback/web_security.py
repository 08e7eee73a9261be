"""Browser security headers, rate limits, the proxy in front, and an expired staff form.

Every response gets a content security policy without inline script or style, a frame ban,
``nosniff``, a permissions policy and (over HTTPS) HSTS. Survey, sign-in, API and webhook routes
are rate limited with Flask-Limiter: counters in memory locally, in Redis in production. A staff
form posted after its CSRF token expired comes back with what was typed, to send again.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

from feedback.config import is_local
from feedback.errors import api_error_response

#: The policy of every page. No inline script or style anywhere ('unsafe-inline' never appears).
CONTENT_SECURITY_POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

#: Endpoints that need more than the policy above, and why.
#: devtools.message (development only) shows a caught email in a sandboxed ``<iframe srcdoc>``;
#: such a frame inherits this page's policy, and HTML email is styled inline. Scripts stay off
#: (no 'unsafe-inline' for scripts, and the frame's sandbox has no allow-scripts).
CSP_OVERRIDES: dict[str, dict[str, str]] = {
    "devtools.message": {"style-src": "'self' 'unsafe-inline'"},
    # The questionnaire builder's preview shows the survey page in a phone-wide frame.
    "questionnaires.page": {"frame-ancestors": "'self'"},
}

#: Features the app never uses: denied to the page and to any frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)

#: Rate-limited groups of routes and the setting holding each one's limits.
LIMIT_SETTINGS = {
    "survey": "RATELIMIT_SURVEY",
    "login": "RATELIMIT_LOGIN",
    "api": "RATELIMIT_API",
    "hooks": "RATELIMIT_HOOKS",
}


@lru_cache(maxsize=512)
def content_security_policy(endpoint: str | None) -> str:
    """The header's value for `endpoint`: built once per endpoint (the policies are constants)."""
    policy = {**CONTENT_SECURITY_POLICY, **CSP_OVERRIDES.get(endpoint or "", {})}
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def _wants_hsts(app: Flask) -> bool:
    """Over HTTPS; or, outside development, when the public address is https (a proxy in front
    that does not say X-Forwarded-Proto: a browser ignores HSTS received over plain HTTP)."""
    if request.is_secure:
        return True
    return not is_local(app.config["FEEDBACK_ENV"]) and app.config["PUBLIC_BASE_URL"].startswith(
        "https://"
    )


def _security_headers(response: Response) -> Response:
    app = current_app
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(request.endpoint))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if _wants_hsts(app):
        headers.setdefault("Strict-Transport-Security", f"max-age={app.config['HSTS_MAX_AGE']}")
    return response


# --- rate limits -------------------------------------------------------------------------


def _is_machine_route() -> bool:
    return request.path.startswith(("/api/", "/hooks/"))


def limit_group() -> str | None:
    """Which limits apply to this request, if any."""
    if request.path.startswith("/api/"):
        return "api"
    if request.path.startswith("/hooks/"):
        return "hooks"
    if request.endpoint == "accounts.login":
        return "login" if request.method == "POST" else None
    if request.blueprint == "surveys":
        return "survey"
    return None


def _limit_key() -> str:
    """API calls are counted per key (its public prefix), everything else per client address."""
    if limit_group() == "api":
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        parts = presented.strip().split("_", 2)
        if scheme.lower() == "bearer" and len(parts) == 3:
            return f"key:{parts[1]}"
    return f"ip:{get_remote_address()}"


def _limits() -> str:
    group = limit_group() or "survey"
    return current_app.config[LIMIT_SETTINGS[group]]


def _too_many(exc: RateLimitExceeded) -> Any:
    """429, with Retry-After: the window of the limit reached (a client let in again by then at
    the latest), which costs no trip to the counters' storage."""
    headers = {"Retry-After": str(exc.limit.limit.get_expiry())}
    if _is_machine_route():
        return api_error_response(
            429,
            "too_many_requests",
            f"rate limit exceeded ({exc.description}); retry later",
            headers=headers,
        )
    return (
        render_template(
            "error.html",
            title=_("Too many requests"),
            code=429,
        ),
        429,
        headers,
    )


def _init_limiter(app: Flask) -> Limiter:
    enabled = app.config.get("RATELIMIT_ENABLED")
    if enabled is None:
        app.config["RATELIMIT_ENABLED"] = not app.config.get("TESTING", False)
    # No X-RateLimit-* headers: they cost one more trip to the counters' storage on every
    # request (Redis in production), for headers nobody reads; a refusal says Retry-After.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter = Limiter(
        _limit_key,
        app=app,
        default_limits=[_limits],
        default_limits_exempt_when=lambda: limit_group() is None,
        key_prefix="feedback",
    )
    # Count a request before anything else looks at it (the CSRF check refuses bad tokens
    # before the view, and those attempts must count too).
    checks = app.before_request_funcs.setdefault(None, [])
    check = next((f for f in checks if getattr(f, "__self__", None) is limiter), None)
    if check is not None:
        checks.remove(check)
        checks.insert(0, check)
    app.register_error_handler(RateLimitExceeded, _too_many)
    return limiter


# --- an expired CSRF token on a staff form -------------------------------------------------

#: Fields never echoed back into a page.
_SECRET_FIELDS = ("csrf_token", "password")


def _csrf_expired(exc: CSRFError) -> Any:
    """The staff form's token expired (or the session did): say so and offer to send again.

    What was typed comes back as a list to check and hidden fields to resend with a fresh
    token; passwords and files are not kept and must be given again.
    """
    if _is_machine_route():
        return api_error_response(400, "csrf_failed", exc.description or "CSRF check failed")
    fields = [
        (name, value)
        for name, values in request.form.lists()
        for value in values
        if not any(secret in name.lower() for secret in _SECRET_FIELDS)
    ]
    return render_template(
        "csrf_expired.html",
        fields=fields,
        action=request.full_path.rstrip("?"),
        had_secret=any(
            secret in name.lower() for name in request.form for secret in _SECRET_FIELDS[1:]
        )
        or bool(request.files),
        csrf_token=generate_csrf(),
    ), 400


#: Characters no staff text may hold: PostgreSQL refuses NUL outright, and none of the others
#: belongs in a name, a question or a note (tab, newline and carriage return are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse_control_characters() -> Any:
    """A staff form holding a control character is answered with a 400 page that says so
    before its view runs, rather than with a 500 when the text reaches the database."""
    if request.method != "POST" or _is_machine_route():
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "required_permission", None) is None:
        return None
    if not any(_CONTROL.search(value) for _name, value in request.form.items(multi=True)):
        return None
    title = _("A field holds a control character (such as NUL), which cannot be stored.")
    return render_template("error.html", title=title, code=400), 400


def init_app(app: Flask) -> None:
    """Wire the headers, the limiter and the CSRF page; behind N proxies, trust N hops."""
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    app.after_request(_security_headers)
    app.before_request(_refuse_control_characters)
    app.extensions["feedback_limiter"] = _init_limiter(app)
    app.register_error_handler(CSRFError, _csrf_expired)
