"""The public plugin API: everything a channel plugin may import from the core.

The contract is here; the services a plugin calls (inbound texts, delivery receipts, message
composition) are in :mod:`feedback.plugin_api`.
"""

from feedback.channels.base import (
    Channel,
    DeliveryResult,
    DeliveryStatus,
    Invitation,
    Outcome,
    Platform,
    Question,
    RuleOption,
)

__all__ = [
    "Channel",
    "DeliveryResult",
    "DeliveryStatus",
    "Invitation",
    "Outcome",
    "Platform",
    "Question",
    "RuleOption",
]
