"""SMS channel plugin for feedback through Twilio: invitations, conversations, receipts.

Discovered by the core through the ``feedback.channels`` entry point ``sms_twilio`` (see
setup.cfg).
"""

from feedback_sms_twilio.channel import TwilioChannel

__all__ = ["TwilioChannel"]
