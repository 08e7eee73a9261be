"""The channel of walk-in rules: a built-in pseudo-channel, always enabled.

A walk-in client leaves no email or phone: the survey is handed to their browser when they open
the point's link (the visit is the delivery, see :func:`feedback.walk_in.services.visit`). So a
rule for a walk-in point's contact type names this channel: planning then schedules the visit's
invitation like any other (sampling, quotas, exclusions and active dates apply), and the visit
moves it to sent at once through the lifecycle. Nothing is ever sent: an invitation of this
channel that the outbox takes up (an event of that contact type sent through the API, say) fails
for good, and says why.
"""

from __future__ import annotations

from flask import Flask

from feedback.channels.base import Channel, DeliveryResult, Invitation
from feedback.channels.registry import platform_of

NAME = "walk_in"


class WalkInChannel(Channel):
    name = NAME
    titles = {"en": "walk-in link", "fr": "lien sans rendez-vous"}
    requires = frozenset()

    def send(self, invitation: Invitation) -> DeliveryResult:
        return DeliveryResult.permanent("walk-in surveys are handed over by a visit, never sent")


def register(app: Flask) -> None:
    """Enable the channel beside the plugins of FEEDBACK_CHANNELS (after init_channels)."""
    channels = app.extensions["feedback.channels"]
    channels.setdefault(NAME, WalkInChannel({}, platform_of(app.config)))
