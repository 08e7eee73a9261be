"""Quiet hours: local hours in the client's time zone (else the program's) when nothing is sent.

Applied twice: when an invitation is planned, and again when it is about to be sent, so that an
invitation claimed late (a worker was down) or retried into the evening still waits until morning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from feedback.channels.base import Channel
from feedback.channels.registry import get_channel
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.invitations.models import Invitation

if TYPE_CHECKING:
    from feedback.distribution.planning import RuleSnapshot


def quiet_window(
    rule: DistributionRule | RuleSnapshot | None, channel: Channel | None
) -> tuple[int | None, int | None]:
    """The rule's hours if it sets any, else the channel's default (e.g. 21-8 for texts)."""
    if rule is not None and (rule.quiet_start_hour is not None or rule.quiet_end_hour is not None):
        return rule.quiet_start_hour, rule.quiet_end_hour
    if channel is not None and channel.quiet_hours is not None:
        return channel.quiet_hours
    return None, None


def outside_quiet_hours(
    moment: datetime, zone: str, start: int | None, end: int | None
) -> datetime:
    """The first moment at or after `moment` that is not within [start, end) local hours."""
    if start is None or end is None or start == end:
        return moment
    local = moment.astimezone(ZoneInfo(zone))
    hour = local.hour
    quiet = (start <= hour < end) if start < end else (hour >= start or hour < end)
    if not quiet:
        return moment
    resume = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if resume <= local:
        resume += timedelta(days=1)
    return resume.astimezone(moment.tzinfo)


def earliest_send_times(invitations: Sequence[Invitation], moment: datetime) -> dict[str, datetime]:
    """When each invitation may be sent, at or after `moment`, given its rule and channel, by
    id (their rules read in one query; their programs should be loaded already)."""
    rule_ids = {i.rule_id for i in invitations if i.rule_id}
    rules = (
        {
            rule.id: rule
            for rule in db.session.scalars(
                select(DistributionRule).where(DistributionRule.id.in_(sorted(rule_ids)))
            )
        }
        if rule_ids
        else {}
    )
    times: dict[str, datetime] = {}
    for invitation in invitations:
        rule = rules.get(invitation.rule_id) if invitation.rule_id else None
        channel = get_channel(invitation.channel) if invitation.channel else None
        start, end = quiet_window(rule, channel)
        zone = invitation.timezone or invitation.program.timezone
        times[invitation.id] = outside_quiet_hours(moment, zone, start, end)
    return times
