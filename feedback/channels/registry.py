"""Discovery of channel plugins through the ``feedback.channels`` entry-point group."""

from __future__ import annotations

import logging
from importlib.metadata import EntryPoint, entry_points

from flask import Flask, current_app

from feedback.channels.base import Channel

ENTRY_POINT_GROUP = "feedback.channels"
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


def init_channels(app: Flask) -> None:
    """Instantiate the enabled channels, mount their blueprints, keep them on the app."""
    found = discover()
    enabled: dict[str, Channel] = {}
    for name in app.config["FEEDBACK_CHANNELS"]:
        if name not in found:
            known = ", ".join(sorted(found)) or "none"
            raise ChannelConfigError(
                f"FEEDBACK_CHANNELS names {name!r}, but no installed plugin provides it "
                f"(installed: {known})"
            )
        channel = load_class(found[name])(app.config)
        try:
            channel.check_config()
        except ValueError as exc:
            raise ChannelConfigError(f"channel {name!r} is misconfigured: {exc}") from exc
        blueprint = channel.blueprint()
        if blueprint is not None:
            app.register_blueprint(blueprint, url_prefix=f"/hooks/{name}", name=f"channel_{name}")
        enabled[name] = channel
    app.extensions["feedback.channels"] = enabled


def get_channel(name: str) -> Channel | None:
    channels: dict[str, Channel] = current_app.extensions["feedback.channels"]
    return channels.get(name)


def enabled_channels() -> dict[str, Channel]:
    return dict(current_app.extensions["feedback.channels"])
