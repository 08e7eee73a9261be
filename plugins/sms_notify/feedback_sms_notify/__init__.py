"""SMS channel plugin for feedback through GC Notify: template-based invitations, receipts.

Discovered by the core through the ``feedback.channels`` entry point ``sms_notify`` (see
setup.cfg).
"""

from feedback_sms_notify.channel import NotifyChannel

__all__ = ["NotifyChannel"]
