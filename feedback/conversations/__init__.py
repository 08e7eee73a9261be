"""Surveys asked one question at a time over a channel that receives replies (SMS, later voice).

The engine is channel-agnostic: a plugin hands it the sender and the text of each inbound
message and sends back the texts it returns. Answers are saved as they arrive, so a client who
stops halfway leaves a partial response.
"""
