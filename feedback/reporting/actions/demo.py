"""The demo's "you said, we did": a few actions of the demo program against common irritants,
recorded through the service (so they are checked and audited like any other)."""

from __future__ import annotations

from datetime import date, timedelta

from feedback.programs.models import Program
from feedback.reporting.actions.models import ActionStatus, ThemeAction
from feedback.reporting.actions.services import ActionSpec, create_action

#: (theme, days before today, status, English, French)
DEMO_ACTIONS = (
    (
        "processing_time",
        75,
        ActionStatus.DONE,
        "Added staff to the processing centre to clear the backlog of applications.",
        "Ajout de personnel au centre de traitement pour résorber l'arriéré des demandes.",
    ),
    (
        "status_updates",
        40,
        ActionStatus.IN_PROGRESS,
        "Sending an email at each step of the application, with the expected next date.",
        "Envoi d'un courriel à chaque étape de la demande, avec la prochaine date prévue.",
    ),
    (
        "phone_access",
        20,
        ActionStatus.IN_PROGRESS,
        "Offering a call-back instead of a wait on hold at the call centre's peak hours.",
        "Rappel offert au lieu de l'attente en ligne aux heures de pointe du centre d'appels.",
    ),
    (
        "website_online_account",
        -30,
        ActionStatus.PLANNED,
        "Simplifying the sign-in to the online account, tested with clients first.",
        "Connexion au compte en ligne simplifiée, d'abord mise à l'essai avec des clients.",
    ),
)


def add_demo_actions(program: Program, today: date) -> list[ThemeAction]:
    """The demo actions of `program`, dated around `today`. The caller commits."""
    return [
        create_action(
            program,
            ActionSpec(
                theme=theme,
                text={"en": english, "fr": french},
                status=status,
                action_date=today - timedelta(days=days),
            ),
        )
        for theme, days, status, english, french in DEMO_ACTIONS
    ]
