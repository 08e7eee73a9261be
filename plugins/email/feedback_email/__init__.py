"""Email channel plugin (placeholder being written)."""

from feedback.channels import Channel, DeliveryResult, Invitation


class EmailChannel(Channel):
    name = "email"
    requires = frozenset({"email"})

    def send(self, invitation: Invitation) -> DeliveryResult:
        raise NotImplementedError
