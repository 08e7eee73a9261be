"""The web process's entry point: `gunicorn -c python:feedback.gunicorn_conf feedback.wsgi:app`.

Built once in gunicorn's master and warmed up there (:mod:`feedback.warm_up`), so that every
worker, the first ones and those that replace them, starts with it all built."""

from feedback import create_app
from feedback.warm_up import warm_up

app = create_app()
warm_up(app)
