"""Reminders: one more message, on the same channel and with the same survey link, to clients
who have not answered a rule's invitation `reminder_after_days` after it was sent.

Only link-mode invitations get one (a conversation or a call-back is not repeated), while they
may still be answered (sent, delivered or opened; not expired, answered or refused). A sweep of
one channel works a batch at a time, with a number of statements that does not grow with the
batch: the due invitations in one query (their rules' delays read once), those in quiet hours
or opted out left for later or out, the rest taken up by :func:`lifecycle.claim_reminders`
(``reminded_at`` set under row locks, committed) before the channel gets them. So a task
redelivered or run twice finds nothing left to remind, and a reminder goes out at most once:
a worker killed between the commit and the provider loses that reminder rather than sending
it twice (a courtesy message, unlike the invitation, is not worth a duplicate).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from feedback import channels
from feedback.channels.registry import get_channel
from feedback.consent.opt_outs import opted_out_now
from feedback.db_types import utcnow
from feedback.distribution.models import DistributionRule
from feedback.distribution.quiet_hours import earliest_send_times
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.messages import build_message, channel_questions
from feedback.invitations.models import Invitation, InvitationMode
from feedback.invitations.outbox import SEND_CHUNK, hand_over
from feedback.questionnaires.models import QuestionnaireVersion
from feedback.security import survey_token

log = logging.getLogger(__name__)

#: What a batch of reminders shares, loaded once for all (a query per relationship).
_SHARED = (
    selectinload(Invitation.questionnaire_version).selectinload(QuestionnaireVersion.questions),
    selectinload(Invitation.program),
)


def _due(channel_name: str, limit: int, now: datetime) -> list[Invitation]:
    """Up to `limit` invitations of the channel whose reminder is due (one query, plus the
    rules with reminders and the programs the invitations share)."""
    delays: dict[int, list[str]] = defaultdict(list)
    for rule_id, days in db.session.execute(
        select(DistributionRule.id, DistributionRule.reminder_after_days).where(
            DistributionRule.reminder_after_days.is_not(None)
        )
    ):
        delays[days].append(rule_id)
    if not delays:
        return []
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.channel == channel_name,
                Invitation.status.in_(lifecycle.REMINDABLE),
                Invitation.mode == InvitationMode.LINK,
                Invitation.reminded_at.is_(None),
                or_(Invitation.expires_at.is_(None), Invitation.expires_at > now),
                or_(
                    *(
                        and_(
                            Invitation.rule_id.in_(rule_ids),
                            Invitation.sent_at <= now - timedelta(days=days),
                        )
                        for days, rule_ids in sorted(delays.items())
                    )
                ),
            )
            .order_by(Invitation.sent_at)
            .limit(limit)
            .options(selectinload(Invitation.program))
        )
    )


class Sweep(NamedTuple):
    """One batch's counts: reminders due, taken up (not in quiet hours nor opted out, and not
    taken by another worker), and accepted by the channel."""

    due: int
    taken: int
    accepted: int


def remind_batch(channel_name: str, limit: int, now: datetime | None = None) -> Sweep:
    """Send the due reminders of one channel, up to `limit` of them."""
    now = now or utcnow()
    channel = get_channel(channel_name)
    due = _due(channel_name, limit, now) if channel is not None else []
    if not due:
        return Sweep(0, 0, 0)
    opted_out = opted_out_now(due)
    send_at = earliest_send_times(due, now)
    ready = [i.id for i in due if i.id not in opted_out and send_at[i.id] <= now]
    taken = lifecycle.claim_reminders(ready, now, options=_SHARED)
    questions: dict[str | None, tuple[channels.Question, ...]] = {}
    messages: list[channels.Invitation] = []
    for invitation in taken:
        version = invitation.questionnaire_version_id
        if version not in questions:
            questions[version] = channel_questions(invitation)
        token = survey_token(invitation.id, invitation.token_salt or "")
        messages.append(build_message(invitation, token, questions[version], reminder=True))
    db.session.commit()  # reminded: a redelivered task, or another worker, leaves them alone
    assert channel is not None
    outcomes: Counter[str] = Counter()
    for start in range(0, len(messages), SEND_CHUNK):
        results = hand_over(channel, messages[start : start + SEND_CHUNK])
        outcomes.update(str(result.outcome) for result in results)
    log.info(
        "reminders sent",
        extra={"fields": {"channel": channel_name, "outcomes": dict(outcomes)}},
    )
    return Sweep(len(due), len(taken), outcomes[str(channels.Outcome.SENT)])


def send_due(batch_size: int, max_batches: int, channel_names: Iterable[str]) -> int:
    """Send the due reminders of each channel, a batch at a time; how many were accepted."""
    sent = 0
    for channel_name in channel_names:
        for _ in range(max_batches):
            sweep = remind_batch(channel_name, batch_size)
            sent += sweep.accepted
            if sweep.due < batch_size or not sweep.taken:
                break
    return sent
