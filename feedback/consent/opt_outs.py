"""Opt-outs and their scopes.

An opt-out is recorded under a scope: "all" (every channel: what STOP, the unsubscribe link and
an administrator's request record unless the client chose otherwise), or a channel's medium
("sms", "voice"), else the channel's own name (a client who asked to stop one way of being
surveyed only). It matches by the client's keyed reference and by the address used, so a client
who texted STOP gets nothing more by any channel. Stopping live invitations goes through the
invitation's lifecycle like every other change of its state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select

from feedback.bulk import among
from feedback.channels.registry import enabled_channels, get_channel
from feedback.consent.models import OptOut
from feedback.extensions import db
from feedback.invitations import lifecycle
from feedback.invitations.models import Invitation

#: The scope of an opt-out that stops every channel.
EVERY_CHANNEL = "all"
#: Invitations an opt-out stops: still to send, or sent and not yet answered.
_LIVE = frozenset({lifecycle.S.SCHEDULED, *lifecycle.AWAITING_ANSWER})


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


@dataclass(frozen=True)
class KnownOptOuts:
    """The opt-outs of some clients and addresses, read in one query (a batch's, or one
    invitation's): :meth:`covers` then answers for any channel without another query."""

    #: (scope, client hash) and (scope, address hash) of every opt-out found.
    by_client: frozenset[tuple[str, str]]
    by_address: frozenset[tuple[str, str]]

    def covers(self, channel: str, addr_hash: str | None, client_hash: str | None) -> bool:
        """Whether an opt-out of this client or address stops `channel`."""
        if not self.by_client and not self.by_address:
            return False  # the usual case in a batch: none of its clients opted out
        return any(
            (scope, client_hash) in self.by_client or (scope, addr_hash) in self.by_address
            for scope in _scopes_stopping(channel)
        )


def known_opt_outs(client_hashes: Iterable[str], address_hashes: Iterable[str]) -> KnownOptOuts:
    """Every opt-out recorded for one of these clients or addresses, in one query."""
    clients, addresses = set(client_hashes), set(address_hashes)
    conditions = [among(OptOut.client_hash, clients)] if clients else []
    if addresses:
        conditions.append(among(OptOut.address_hash, addresses))
    rows = (
        db.session.execute(
            select(OptOut.channel, OptOut.client_hash, OptOut.address_hash).where(or_(*conditions))
        ).all()
        if conditions
        else []
    )
    return KnownOptOuts(
        by_client=frozenset((scope, c) for scope, c, _ in rows if c in clients),
        by_address=frozenset((scope, a) for scope, _, a in rows if a in addresses),
    )


def is_opted_out(channel: str, addr_hash: str | None, client_hash: str | None) -> bool:
    found = known_opt_outs([client_hash] if client_hash else [], [addr_hash] if addr_hash else [])
    return found.covers(channel, addr_hash, client_hash)


def opted_out_now(invitations: Sequence[Invitation]) -> set[str]:
    """The ids of those invitations an opt-out now stops, in one query for all."""
    known = known_opt_outs(
        {i.client_hash for i in invitations if i.client_hash},
        {i.address_hash for i in invitations if i.address_hash},
    )
    return {
        i.id
        for i in invitations
        if i.channel is not None and known.covers(i.channel, i.address_hash, i.client_hash)
    }


def is_opted_out_now(invitation: Invitation) -> bool:
    return invitation.id in opted_out_now([invitation])


def opt_out(invitation: Invitation, source: str, *, every_channel: bool = True) -> None:
    """Record an opt-out for the invitation's address and client, for every channel (or only
    this one's medium); stop the client's live invitations it covers."""
    assert invitation.channel is not None
    scope = EVERY_CHANNEL if every_channel else opt_out_scope(invitation.channel)
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
    stop_live_invitations(
        source,
        client_hash=invitation.client_hash,
        channels=None if every_channel else channels_of_scope(invitation.channel),
    )


def stop_live_invitations(
    source: str,
    *,
    client_hash: str | None = None,
    address_hash: str | None = None,
    channels: list[str] | None = None,
) -> int:
    """Stop (opted out) every invitation still to send or to answer of this client or address,
    on `channels` (None: every channel). How many were stopped."""
    who = [Invitation.client_hash == client_hash] if client_hash else []
    if address_hash:
        who.append(Invitation.address_hash == address_hash)
    if not who:
        return 0
    query = select(Invitation.id).where(or_(*who), Invitation.status.in_(_LIVE))
    if channels is not None:
        query = query.where(Invitation.channel.in_(channels))
    stopped = 0
    for invitation_id in db.session.scalars(query).all():
        invitation = lifecycle.locked(invitation_id)  # re-checked under the lock
        if invitation is not None and invitation.status in _LIVE:
            lifecycle.transition(invitation, lifecycle.S.OPTED_OUT, f"opt_out_{source}")
            stopped += 1
    return stopped


def opt_out_client(client_hash: str, source: str, channel: str | None = None) -> int:
    """An administrator records a client's request (by their keyed reference): no more surveys
    by any channel (or by `channel`'s medium only); their live invitations stop. How many."""
    scope = EVERY_CHANNEL if channel is None else opt_out_scope(channel)
    exists = db.session.scalar(
        select(OptOut.id).where(OptOut.channel == scope, OptOut.client_hash == client_hash)
    )
    if exists is None:
        db.session.add(OptOut(channel=scope, client_hash=client_hash, source=source))
    channels = None if channel is None else channels_of_scope(channel)
    return stop_live_invitations(source, client_hash=client_hash, channels=channels)


def opt_out_address(addr_hash: str, client_hash: str | None, source: str) -> None:
    """Record an opt-out for an address (a phone number that texted STOP, say) and its client,
    for every channel."""
    db.session.add(
        OptOut(
            channel=EVERY_CHANNEL,
            address_hash=addr_hash,
            client_hash=client_hash,
            source=source,
        )
    )


def opt_in_address(channel_name: str, addr_hash: str) -> int:
    """Lift the opt-outs of an address (START): those for every channel and those for this
    channel's medium; returns how many."""
    scopes = [EVERY_CHANNEL, opt_out_scope(channel_name), *channels_of_scope(channel_name)]
    rows = db.session.scalars(
        select(OptOut).where(OptOut.address_hash == addr_hash, OptOut.channel.in_(scopes))
    ).all()
    for row in rows:
        db.session.delete(row)
    return len(rows)
