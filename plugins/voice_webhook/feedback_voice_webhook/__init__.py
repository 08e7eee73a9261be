"""Voice channel plugin for feedback through a signed JSON webhook: any contact-centre platform
that can post the keys a caller pressed and play the prompt it gets back runs the survey.

Discovered by the core through the ``feedback.channels`` entry point ``voice_webhook`` (see
setup.cfg). The protocol is described in README.md.
"""

from feedback_voice_webhook.channel import VoiceWebhookChannel

__all__ = ["VoiceWebhookChannel"]
