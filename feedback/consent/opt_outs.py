"""Opt-outs and their scopes.

An opt-out is recorded under a scope: a channel's medium ("sms", "voice"), else the channel's
own name, or "all". It matches by the client's keyed reference and by the address used, so a
client who texted STOP gets nothing more by any SMS provider. Stopping a live invitation goes
through the invitation's lifecycle like every other change of its state.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from feedback.channels.registry import enabled_channels, get_channel
from feedback.consent.models import OptOut
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.models import Invitation

#: The scope of an opt-out that stops every channel.
EVERY_CHANNEL = "all"


def opt_out_scope(channel_name: str) -> str:
    """Where opt-outs through this channel are recorded: its medium ("sms"), else its name."""
    channel = get_channel(channel_name)
    return channel.opt_out_scope if channel is not None else channel_name


def _scopes_stopping(channel_name: str) -> list[str]:
    """The OptOut.channel values that stop this channel."""
    return list(dict.fromkeys([channel_name, opt_out_scope(channel_name), EVERY_CHANNEL]))


def channels_of_scope(channel_name: str) -> list[str]:
    """Every enabled channel sharing this channel's opt-outs (itself included)."""
    scope = opt_out_scope(channel_name)
    names = [name for name, ch in enabled_channels().items() if ch.opt_out_scope == scope]
    return list(dict.fromkeys([channel_name, *names]))


def is_opted_out(channel: str, addr_hash: str | None, client_hash: str | None) -> bool:
    conditions = [OptOut.client_hash == client_hash] if client_hash else []
    if addr_hash:
        conditions.append(OptOut.address_hash == addr_hash)
    if not conditions:
        return False
    found = db.session.scalar(
        select(OptOut.id)
        .where(OptOut.channel.in_(_scopes_stopping(channel)), or_(*conditions))
        .limit(1)
    )
    return found is not None


def is_opted_out_now(invitation: Invitation) -> bool:
    assert invitation.channel is not None
    return is_opted_out(invitation.channel, invitation.address_hash, invitation.client_hash)


def opt_out(invitation: Invitation, source: str) -> None:
    """Record an opt-out for the invitation's address and client; stop the invitation if live."""
    assert invitation.channel is not None
    scope = opt_out_scope(invitation.channel)
    exists = db.session.scalar(
        select(OptOut.id).where(
            OptOut.channel == scope, OptOut.client_hash == invitation.client_hash
        )
    )
    if exists is None:
        db.session.add(
            OptOut(
                channel=scope,
                address_hash=invitation.address_hash,
                client_hash=invitation.client_hash,
                source=source,
            )
        )
    if lifecycle.S.OPTED_OUT in lifecycle.TRANSITIONS[invitation.status]:
        lifecycle.transition(invitation, lifecycle.S.OPTED_OUT, f"opt_out_{source}")


def opt_out_address(
    channel_name: str, addr_hash: str, client_hash: str | None, source: str
) -> None:
    """Record an opt-out for an address (a phone number that texted STOP, say)."""
    db.session.add(
        OptOut(
            channel=opt_out_scope(channel_name),
            address_hash=addr_hash,
            client_hash=client_hash,
            source=source,
        )
    )


def opt_in_address(channel_name: str, addr_hash: str) -> int:
    """Lift the opt-outs of an address for this channel's medium; returns how many."""
    rows = db.session.scalars(
        select(OptOut).where(
            OptOut.address_hash == addr_hash,
            OptOut.channel.in_([opt_out_scope(channel_name), *channels_of_scope(channel_name)]),
        )
    ).all()
    for row in rows:
        db.session.delete(row)
    return len(rows)
