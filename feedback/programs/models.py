"""Programs: the department's lines of business (passports, citizenship, ...)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback.db_types import new_id
from feedback.extensions import db


class Program(db.Model):
    __tablename__ = "programs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    # Quiet hours fall back to the program's zone when the client's is unknown.
    timezone: Mapped[str] = mapped_column(String(64), default="America/Toronto")
    # The kinds of contact its events name, with their names in both languages:
    # [{"code": "call", "en": "Call centre call", "fr": "Appel au centre d'appels"}, ...]
    contact_types: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default="[]"
    )
    # The event attributes reporting may group by (at most 5 names, e.g. ["region", "age_band"]):
    # the facts count by their values (feedback.reporting.facts), no other attribute leaves.
    reportable_attributes: Mapped[list[str]] = mapped_column(
        JSON, default=list, server_default="[]"
    )

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en

    def contact_type_label(self, code: str, language: str) -> str:
        """A contact type's name in `language`; its code when the program does not list it."""
        for contact_type in self.contact_types or []:
            if contact_type.get("code") == code:
                return str(contact_type.get(language) or code)
        return code
