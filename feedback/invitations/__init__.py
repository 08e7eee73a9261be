"""Invitations: the outbox of surveys to send, and everything that happens to one.

* :mod:`.models`: the rows; :mod:`.lifecycle`: every change of state, and its bookkeeping;
* :mod:`.messages`: what a channel is handed; :mod:`.outbox`: claiming and sending;
* :mod:`.receipts`: providers' delivery receipts; :mod:`.tasks`: the Celery tasks around them.
"""
