"""Print the survey token of every invitation of the no-op channel in status `sent`, as the
channel was handed it (the app's own derivation from the invitation's id and salt).

Used by survey_page.py with the benchmark's environment (DATABASE_URL, SECRET_KEY):
`python benchmarks/sent_invitations.py`.
"""

from __future__ import annotations

from sqlalchemy import select

from feedback import create_app
from feedback.extensions import db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.security import survey_token


def main() -> None:
    app = create_app()
    with app.app_context():
        sent = db.session.execute(
            select(Invitation.id, Invitation.token_salt).where(
                Invitation.status == InvitationStatus.SENT, Invitation.channel == "noop"
            )
        )
        for invitation_id, salt in sent:
            print(survey_token(invitation_id, salt))


if __name__ == "__main__":
    main()
