"""Thin Celery tasks for follow-ups: email a program's managers about a new item (by id), and
a sweep that queues it again for items whose task was lost."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from sqlalchemy.exc import OperationalError

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.follow_ups import mail, services
from feedback.follow_ups.models import FollowUp

log = logging.getLogger(__name__)
#: An item still not notified this long after it opened had its task lost (a broker outage).
LOST_AFTER = timedelta(minutes=15)


@shared_task(
    name="feedback.follow_ups.tasks.notify_managers",
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def notify_managers(item_id: str) -> int:
    """Email the item's program managers once (the item is locked while it is read); returns
    how many were emailed. An SMTP fault is retried with backoff."""
    item = db.session.get(FollowUp, item_id, with_for_update=True)
    if item is None or item.notified_at is not None:
        db.session.rollback()
        return 0
    recipients = [user.email for user in services.program_managers(item.program_id)]
    if recipients:
        mail.send(mail.compose(item, recipients, mail.smtp_settings()["MAIL_FROM"]))
    else:
        log.warning(
            "follow-up opened for a program without managers",
            extra={"fields": {"follow_up": item.id}},
        )
    item.notified_at = utcnow()
    db.session.commit()
    return len(recipients)


@shared_task(name="feedback.follow_ups.tasks.notify_lost")
def notify_lost() -> int:
    """Queue the email again for items left without one (scheduled by beat)."""
    ids = services.items_to_notify(LOST_AFTER)
    db.session.rollback()
    for item_id in ids:
        notify_managers.delay(item_id)
    return len(ids)
