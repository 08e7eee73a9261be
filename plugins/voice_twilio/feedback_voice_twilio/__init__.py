"""Voice channel plugin for feedback through Twilio: a keypad survey for callers transferred at
the end of a call, and call-backs placed through Twilio's Calls API.

Discovered by the core through the ``feedback.channels`` entry point ``voice_twilio`` (see
setup.cfg).
"""

from feedback_voice_twilio.channel import VoiceTwilioChannel

__all__ = ["VoiceTwilioChannel"]
