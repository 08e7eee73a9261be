"""Questionnaires, their immutable published versions, and ordered bilingual questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from feedback.db_types import UTCDateTime, new_id, utcnow
from feedback.extensions import db


class Questionnaire(db.Model):
    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("program_id", "code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_id: Mapped[str] = mapped_column(ForeignKey("programs.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    # Its name in staff lists (the latest draft's title); clients see each version's own title.
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200))

    program = relationship("Program")
    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireVersion.number"
    )


class QuestionnaireVersion(db.Model):
    """Once published_at is set, a version and its questions never change (see services)."""

    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    questionnaire_id: Mapped[str] = mapped_column(ForeignKey("questionnaires.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title_en: Mapped[str] = mapped_column(String(200), default="", server_default="")
    title_fr: Mapped[str] = mapped_column(String(200), default="", server_default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    intro_fr: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, active_history=True)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en

    def intro(self, language: str) -> str:
        return self.intro_fr if language == "fr" else self.intro_en


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("version_id", "position"),
        UniqueConstraint("version_id", "code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    version_id: Mapped[str] = mapped_column(ForeignKey("questionnaire_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64))
    # The name of its kind in the registry (feedback.questionnaires.kinds), e.g. "rating".
    kind: Mapped[str] = mapped_column(String(20))
    text_en: Mapped[str] = mapped_column(Text)
    text_fr: Mapped[str] = mapped_column(Text)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Choice kinds: [{"value": "online", "en": "Online", "fr": "En ligne"}, ...]
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Per-channel wordings, e.g. {"sms": {"en": "...", "fr": "..."}, "voice": {...}}.
    wordings: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    # Asked only when an earlier answer is in a set (see feedback.questionnaires.conditions):
    # {"question": "<an earlier question's code>", "values": ["4", "5"]}; None: always asked.
    show_if: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What reporting finds the question by (feedback.questionnaires.topics), e.g. "ease".
    topic: Mapped[str | None] = mapped_column(String(32))

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="questions")

    def text(self, language: str, channel: str | None = None) -> str:
        """The wording for a channel if it has one, else the written text."""
        if channel:
            wording = (self.wordings or {}).get(channel, {}).get(language)
            if wording:
                return wording
        return self.text_fr if language == "fr" else self.text_en

    def option_label(self, value: str, language: str) -> str:
        for option in self.options or []:
            if option["value"] == value:
                return option["fr" if language == "fr" else "en"]
        return value


class PublishedVersionError(RuntimeError):
    """A published questionnaire version is immutable: publish a new version instead."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published(session: Session, _context: object, _instances: object) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Question):
            version = obj.version
        elif isinstance(obj, QuestionnaireVersion):
            version = obj
            if obj in session.dirty and _only_publishing(obj):
                continue
        else:
            continue
        if version is not None and _was_published(version):
            raise PublishedVersionError(
                f"questionnaire version {version.id} is published and cannot change"
            )
    for obj in session.new:
        if isinstance(obj, Question) and obj.version is not None and _was_published(obj.version):
            raise PublishedVersionError("cannot add a question to a published version")


def _was_published(version: QuestionnaireVersion) -> bool:
    """Published before this flush (publishing itself is the one change allowed)."""
    history = inspect(version).attrs.published_at.history
    if history.deleted:
        return history.deleted[0] is not None
    return version.published_at is not None and not history.added


def _only_publishing(version: QuestionnaireVersion) -> bool:
    state = inspect(version)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    return changed <= {"published_at"} and not _was_published(version)
