"""The public plugin API: everything a channel plugin may import from the core."""

from feedback.channels.base import Channel, DeliveryResult, Invitation, Outcome, Question

__all__ = ["Channel", "DeliveryResult", "Invitation", "Outcome", "Question"]
