"""Actions made through the service, and themes of the taxonomy to record them against."""

from __future__ import annotations

from datetime import date

from feedback.accounts.models import User
from feedback.programs.models import Program
from feedback.reporting.actions.models import ActionStatus, ThemeAction
from feedback.reporting.actions.services import ActionSpec, create_action
from feedback.reporting.themes.taxonomy import THEMES


def irritants() -> list[str]:
    """Codes of the taxonomy's irritant themes (not praise), in a stable order."""
    return sorted(code for code, theme in THEMES.items() if not theme.praise)


def make_action(
    program: Program,
    theme: str | None = None,
    *,
    owner: User | None = None,
    status: ActionStatus = ActionStatus.IN_PROGRESS,
    on: date = date(2026, 3, 2),
    text_en: str = "Added call-back at peak hours.",
    text_fr: str = "Rappel offert aux heures de pointe.",
) -> ThemeAction:
    spec = ActionSpec(
        theme=theme or irritants()[0],
        text={"en": text_en, "fr": text_fr},
        status=status,
        action_date=on,
        owner=owner,
    )
    return create_action(program, spec)
