"""A channel that accepts every invitation and sends nothing: the dispatch benchmark's channel.

Not installed: benchmarks/harness.py puts benchmarks/noop_channel on PYTHONPATH, where
importlib.metadata finds the .dist-info folder beside this package and its entry point in the
``feedback.channels`` group, exactly as it finds an installed plugin's.
"""

from __future__ import annotations

from feedback.channels import Channel, DeliveryResult, Invitation


class NoopChannel(Channel):
    """Needs no contact detail, has no quiet hours, and answers "sent" at once."""

    name = "noop"
    requires = frozenset()

    def send(self, invitation: Invitation) -> DeliveryResult:
        return DeliveryResult.sent(f"noop-{invitation.id}")
