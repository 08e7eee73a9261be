"""Consent: opt-outs and their scopes (a channel, a medium, every channel), unsubscribe codes."""
