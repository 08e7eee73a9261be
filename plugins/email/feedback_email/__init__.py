"""Email channel plugin for feedback: bilingual invitations over SMTP.

Discovered by the core through the ``feedback.channels`` entry point ``email`` (see setup.cfg).
"""

from feedback_email.channel import EmailChannel

__all__ = ["EmailChannel"]
