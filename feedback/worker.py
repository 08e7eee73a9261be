"""The Celery worker's and beat's entry point: `celery -A feedback.worker worker` and
`celery -A feedback.worker beat`.

The worker builds the same Flask app as the web process, so every task runs in its context.
"""

from feedback import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]

# Importing the task modules registers the tasks with this Celery app.
import feedback.follow_ups.tasks  # noqa: E402,F401
import feedback.invitations.tasks  # noqa: E402,F401
import feedback.privacy.tasks  # noqa: E402,F401
import feedback.reporting.tasks  # noqa: E402,F401
