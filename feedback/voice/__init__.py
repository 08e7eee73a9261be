"""Surveys on the phone, answered with the keypad, whatever the telephony provider.

A voice plugin turns each request of its provider (Twilio's webhooks, a contact centre's JSON
webhook) into a call to :mod:`feedback.voice.flow` and renders the :class:`~feedback.voice.steps.
VoiceStep` it gets back (TwiML, JSON). The questions are asked one at a time by the conversation
engine (:mod:`feedback.conversations`), so answers are saved as they come, exactly as by text.
"""
