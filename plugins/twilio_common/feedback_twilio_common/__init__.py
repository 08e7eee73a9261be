"""What the Twilio channel plugins of feedback share (no channel of its own).

See :mod:`feedback_twilio_common.channel`; the signing command's helpers are in
:mod:`feedback_twilio_common.cli` and the base of the Twilio API stand-ins in
:mod:`feedback_twilio_common.testing`.
"""

from feedback_twilio_common.channel import (
    DEV_AUTH_TOKEN,
    TwilioChannelBase,
    classify,
    verify_signature,
)

__all__ = ["DEV_AUTH_TOKEN", "TwilioChannelBase", "classify", "verify_signature"]
