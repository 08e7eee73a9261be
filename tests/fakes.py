"""A recording channel that stands in for a provider in core tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from feedback.channels import Channel, DeliveryResult, Invitation


class RecordingChannel(Channel):
    """Answers with the queued outcomes (then 'sent'), recording every invitation it is handed."""

    name = "email"
    requires = frozenset({"email"})

    def __init__(self, outcomes: list[DeliveryResult] | None = None) -> None:
        super().__init__({})
        self.outcomes = list(outcomes or [])
        self.sent: list[Invitation] = []

    def send(self, invitation: Invitation) -> DeliveryResult:
        self.sent.append(invitation)
        if self.outcomes:
            return self.outcomes.pop(0)
        return DeliveryResult.sent(f"ref-{len(self.sent)}")


@contextmanager
def channel_replaced(app: Flask, channel: Channel) -> Iterator[Channel]:
    channels = app.extensions["feedback.channels"]
    original = channels.get(channel.name)
    channels[channel.name] = channel
    try:
        yield channel
    finally:
        if original is None:
            channels.pop(channel.name, None)
        else:
            channels[channel.name] = original
