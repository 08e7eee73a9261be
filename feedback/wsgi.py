"""The web process's entry point: `gunicorn -c python:feedback.gunicorn_conf feedback.wsgi:app`."""

from feedback import create_app

app = create_app()
