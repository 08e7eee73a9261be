"""The channel plugin contract.

A channel plugin is a class registered in the ``feedback.channels`` entry-point group. The core
builds one instance per enabled channel at start-up, hands it plain data (never ORM objects) and
reads back a :class:`DeliveryResult`; a channel never raises through the core for a delivery fault.
"""

from __future__ import annotations

import enum
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

from flask import Blueprint


class Outcome(enum.StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"  # worth trying again later (timeout, 4xx greylisting, 5xx)
    PERMANENT = "permanent"  # never worth retrying (bad address, refused content)


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    provider_ref: str | None = None
    detail: str = ""

    @classmethod
    def sent(cls, provider_ref: str | None = None) -> DeliveryResult:
        return cls(Outcome.SENT, provider_ref)

    @classmethod
    def transient(cls, detail: str) -> DeliveryResult:
        return cls(Outcome.TRANSIENT, detail=detail)

    @classmethod
    def permanent(cls, detail: str) -> DeliveryResult:
        return cls(Outcome.PERMANENT, detail=detail)


class DeliveryStatus(enum.StrEnum):
    """What a provider's delivery receipt says happened after it accepted a message."""

    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"  # the network could not deliver it (unknown, unreachable ...)
    FAILED = "failed"  # the provider could not send it at all
    TEMPORARY = "temporary"  # not delivered for now (phone off, out of reach): worth a new try


@dataclass(frozen=True)
class Question:
    """A question as a channel sees it: texts by language, already resolved for the channel."""

    code: str
    kind: str
    text: Mapping[str, str]
    required: bool
    options: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class Invitation:
    """What a channel needs to deliver one invitation."""

    id: str
    language: str  # the client's language: "en" or "fr"
    email: str | None
    phone: str | None
    timezone: str | None
    survey_url: str
    unsubscribe_url: str
    expires_at: datetime | None
    program_name: Mapping[str, str]  # {"en": ..., "fr": ...}
    questionnaire_title: Mapping[str, str]
    questions: tuple[Question, ...] = field(default=())
    #: "link" (one message with survey_url), "conversation" (the questions asked one at a
    #: time; only for channels with `conversations = True`) or "callback" (the channel calls
    #: the client, who answers by keypad; only for channels with `calls_back = True`).
    mode: str = "link"
    #: True for the one reminder sent to a client who has not answered yet (a rule's
    #: reminder_after_days): the same survey link, in a message that says it is a reminder.
    reminder: bool = False


@dataclass(frozen=True)
class Platform:
    """What the platform tells every channel about where it runs, so that a plugin never reads
    the core's settings: the public address clients and providers reach, the environment,
    the development outbox (only where development shortcuts are allowed), and a logger.

    The default is the safest: production, no outbox.
    """

    public_base_url: str = "http://127.0.0.1:5000"
    environment: str = "production"
    #: True in development and testing only: the one place development shortcuts (well-known
    #: webhook secrets, the outbox) may apply. Staging, production and the rest get none.
    local: bool = False
    #: Where messages are kept instead of being sent, in development; None elsewhere.
    dev_outbox: Path | None = None

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def public_url(self, path: str, params: Mapping[str, str] | str | None = None) -> str:
        """The public URL of an app path (what a provider's signature covers, whatever a proxy
        in front of the app does to the host, scheme or port), with `params` as its query."""
        query = params if isinstance(params, str) else urlencode(params or {})
        url = f"{self.public_base_url.rstrip('/')}{path}"
        return f"{url}?{query}" if query else url

    def logger(self, channel: str) -> logging.Logger:
        """The logger of a channel's plugin: its records are scrubbed of addresses like the
        core's, and they name the plugin."""
        return logging.getLogger(f"feedback.plugins.{channel}")


@dataclass(frozen=True)
class RuleOption:
    """An option a channel offers on the distribution rules that use it (e.g. a voice channel's
    recorded answers): its type, its default and what it does, for the rule's form and help."""

    help: str
    type: type = bool
    default: Any = False


class Channel(ABC):
    """Base class of every channel plugin."""

    #: The name used in configuration, distribution rules and URLs (/hooks/<name>).
    name: ClassVar[str]
    #: Contact details an invitation must carry for this channel: a subset of {"email", "phone"}.
    requires: ClassVar[frozenset[str]]
    #: Settings read from the app config, with defaults (listed by `feedback channels`).
    settings: ClassVar[Mapping[str, Any]] = {}
    #: The channel's name for staff, by language ("en", "fr"), as it reads in a sentence ("sent
    #: by email", « envoyé par courriel »). Without one, pages show `name`.
    titles: ClassVar[Mapping[str, str]] = {}
    #: Channels of the same medium (e.g. "sms") share opt-outs: a client who texts STOP to one
    #: SMS provider gets nothing from another. None means the channel is its own medium.
    medium: ClassVar[str | None] = None
    #: True when the channel receives the client's replies and can carry a survey question by
    #: question (its blueprint hands them to feedback.plugin_api.receive_text).
    conversations: ClassVar[bool] = False
    #: True when send() can call the client to take the survey on the phone (a rule's
    #: call-back mode); the call's answers come through the channel's blueprint.
    calls_back: ClassVar[bool] = False
    #: Local (start, end) hours when nothing is sent, for rules that set none; e.g. (21, 8).
    quiet_hours: ClassVar[tuple[int, int] | None] = None
    #: Options a rule may set for this channel, by name (stored on the rule, see
    #: :meth:`validate_rule_options`).
    rule_options: ClassVar[Mapping[str, RuleOption]] = {}

    def __init__(self, config: Mapping[str, Any], platform: Platform | None = None) -> None:
        self.config = {key: config.get(key, default) for key, default in self.settings.items()}
        self.platform = platform or Platform()

    @property
    def log(self) -> logging.Logger:
        return self.platform.logger(self.name)

    def hook_url(self, path: str, params: Mapping[str, str] | str | None = None) -> str:
        """The public URL of one of this channel's webhooks (mounted at /hooks/<name>)."""
        return self.platform.public_url(f"/hooks/{self.name}{path}", params)

    def uses_dev_outbox(self, credential: str) -> bool:
        """Whether messages go to the development outbox: the provider `credential` setting is
        empty and the platform has an outbox (development and testing only, never elsewhere)."""
        return not self.config[credential] and self.platform.dev_outbox is not None

    def check_config(self) -> None:  # noqa: B027 - optional hook
        """Raise ValueError at start-up when the configuration cannot work."""

    @property
    def opt_out_scope(self) -> str:
        """The channel name under which opt-outs through this channel are recorded."""
        return self.medium or self.name

    def validate_rule_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """A rule's options for this channel, cleaned and completed with their defaults.

        Raises ValueError naming the option when one is unknown or of the wrong type.
        """
        unknown = sorted(set(options) - set(self.rule_options))
        if unknown:
            offered = ", ".join(sorted(self.rule_options)) or "none"
            raise ValueError(
                f"channel {self.name!r} has no option {', '.join(map(repr, unknown))} "
                f"(its options: {offered})"
            )
        cleaned: dict[str, Any] = {}
        for key, option in self.rule_options.items():
            value = options.get(key, option.default)
            if type(value) is not option.type:
                raise ValueError(f"option {key!r} must be a {option.type.__name__}")
            cleaned[key] = value
        return cleaned

    def can_reach(self, email: str | None, phone: str | None) -> bool:
        details = {"email": email, "phone": phone}
        return all(details[need] for need in self.requires)

    @abstractmethod
    def send(self, invitation: Invitation) -> DeliveryResult:
        """Deliver one invitation; report the outcome instead of raising."""

    def send_many(self, invitations: Sequence[Invitation]) -> list[DeliveryResult]:
        """Deliver several invitations of a send task's batch (the core hands a batch over ten
        at a time): one result per invitation, in the same order.

        Optional: the default calls :meth:`send` for each, and counts a `send` that raises as a
        transient fault of that invitation alone. Override it when the provider takes several
        messages in one request, or when one connection can serve the batch (the email plugin
        keeps one SMTP session). An override reports each invitation's outcome like `send`
        does; if it raises, or returns a list of another length, the core counts every
        invitation of the batch as a transient fault (retried later, after asking
        :meth:`sent_before`). The batch is marked `sending` before this is called and its
        outcomes recorded after it returns, so a long batch is a longer window for a worker
        killed meanwhile (docs/reliability.md).
        """
        results = []
        for invitation in invitations:
            try:
                results.append(self.send(invitation))
            except Exception as exc:  # a plugin broke its contract: this invitation only
                self.log.exception("send raised for invitation %s", invitation.id)
                results.append(DeliveryResult.transient(f"plugin error: {type(exc).__name__}"))
        return results

    def sent_before(self, invitation_id: str) -> str | None:
        """The provider's reference of a message it already accepted for this invitation, when
        the provider can look one up by our reference (the invitation's id); None when it has
        none or cannot tell. Asked before sending again an invitation whose worker died while
        sending it, so that a provider with such a look-up never gets it twice."""
        return None

    def blueprint(self) -> Blueprint | None:
        """Inbound webhooks (and templates), mounted at /hooks/<name>."""
        return None
