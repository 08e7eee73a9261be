"""Discovery of channel plugins through the ``feedback.channels`` entry-point group."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request

from feedback.channels.base import Channel, Platform
from feedback.config import is_local
from feedback.extensions import csrf

ENTRY_POINT_GROUP = "feedback.channels"
#: Channel blueprints are registered as channel_<name>, mounted at /hooks/<name>.
BLUEPRINT_PREFIX = "channel_"
log = logging.getLogger(__name__)


class ChannelConfigError(RuntimeError):
    """A configured channel is unknown, broken or misconfigured: refused at start-up."""


def discover() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_class(entry_point: EntryPoint) -> type[Channel]:
    try:
        cls = entry_point.load()
    except Exception as exc:  # any import error in a plugin is a start-up failure
        raise ChannelConfigError(
            f"channel plugin {entry_point.name!r} ({entry_point.value}) failed to load: {exc}"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, Channel)):
        raise ChannelConfigError(
            f"channel plugin {entry_point.name!r} ({entry_point.value}) is not a Channel subclass"
        )
    return cls


def _from_environment(key: str, raw: str, default: Any) -> Any:
    """An environment variable converted to the type of the setting's default."""
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int | float):
        try:
            return type(default)(raw)
        except ValueError as exc:
            raise ChannelConfigError(f"{key} must be a number, not {raw!r}") from exc
    return raw


def channel_settings(
    cls: type[Channel], config: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A channel's settings: the app config, else the environment variable of the same name.

    The core's config only knows its own settings; a plugin's (TWILIO_AUTH_TOKEN, ...) come
    from the environment like every other setting. Missing ones take the class's defaults.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for key, default in cls.settings.items():
        if key in config:
            values[key] = config[key]
        elif environ.get(key, "") != "":
            values[key] = _from_environment(key, environ[key], default)
    return values


def platform_of(config: Mapping[str, Any]) -> Platform:
    """The platform context handed to every channel, from the app's configuration."""
    local = is_local(config["FEEDBACK_ENV"])
    outbox = config.get("OUTBOX_DIR")
    return Platform(
        public_base_url=config["PUBLIC_BASE_URL"],
        environment=config["FEEDBACK_ENV"],
        local=local,
        dev_outbox=Path(outbox) if local and outbox else None,
    )


def _limit_webhook_bodies() -> None:
    """Providers' webhooks carry a few kilobytes: a larger body is refused with 413 before
    anything (the signature check included) reads it, whatever its Content-Length says."""
    if (request.blueprint or "").startswith(BLUEPRINT_PREFIX):
        request.max_content_length = current_app.config["WEBHOOK_MAX_CONTENT_LENGTH"]


def init_channels(app: Flask) -> None:
    """Instantiate the enabled channels, mount their blueprints, keep them on the app."""
    found = discover()
    platform = platform_of(app.config)
    # App-wide, so that it runs before every blueprint's own before_request (the signature
    # checks).
    app.before_request(_limit_webhook_bodies)
    enabled: dict[str, Channel] = {}
    for name in app.config["FEEDBACK_CHANNELS"]:
        if name not in found:
            known = ", ".join(sorted(found)) or "none"
            raise ChannelConfigError(
                f"FEEDBACK_CHANNELS names {name!r}, but no installed plugin provides it "
                f"(installed: {known})"
            )
        cls = load_class(found[name])
        channel = cls(channel_settings(cls, app.config), platform)
        try:
            channel.check_config()
        except ValueError as exc:
            raise ChannelConfigError(f"channel {name!r} is misconfigured: {exc}") from exc
        blueprint = channel.blueprint()
        if blueprint is not None:
            # Providers post webhooks without a session: each view authenticates its caller
            # (a signature, a bearer token) instead of the app-wide CSRF check.
            csrf.exempt(blueprint)
            app.register_blueprint(
                blueprint, url_prefix=f"/hooks/{name}", name=f"{BLUEPRINT_PREFIX}{name}"
            )
        enabled[name] = channel
    app.extensions["feedback.channels"] = enabled


def get_channel(name: str) -> Channel | None:
    channels: dict[str, Channel] = current_app.extensions["feedback.channels"]
    return channels.get(name)


def channel_title(name: str, language: str) -> str:
    """The channel's name for staff in `language` (its plugin's `titles`), else its name."""
    channel = get_channel(name)
    titles = channel.titles if channel is not None else {}
    return titles.get(language) or titles.get("en") or name


def enabled_channels() -> dict[str, Channel]:
    return dict(current_app.extensions["feedback.channels"])
