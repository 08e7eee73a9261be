"""A small world of two programs and one user per role and scope, and clients signed in as them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from feedback.accounts.models import Role, User
from feedback.accounts.services import create_user
from feedback.programs.models import Program
from feedback.questionnaires.models import QuestionnaireVersion
from tests.factories import make_program, make_setup

PASSWORD = "a long enough password"


@dataclass(frozen=True)
class World:
    passport: Program
    citizenship: Program
    version: QuestionnaireVersion  # passport's questionnaire
    admin: User
    manager: User  # program manager of passport
    analyst_in: User  # analyst of passport
    analyst_out: User  # analyst of citizenship
    analyst_none: User  # analyst without any program yet
    colleague: User  # another analyst of passport, who asks for the reports others look at


@pytest.fixture()
def world(db) -> World:
    passport, version, _rule = make_setup()
    citizenship = make_program("citizenship")
    citizenship.name_en, citizenship.name_fr = "Citizenship", "Citoyenneté"
    world = World(
        passport=passport,
        citizenship=citizenship,
        version=version,
        admin=create_user("admin@example.org", PASSWORD, Role.ADMIN),
        manager=create_user(
            "manager@example.org", PASSWORD, Role.PROGRAM_MANAGER, programs=["passport"]
        ),
        analyst_in=create_user("in@example.org", PASSWORD, Role.ANALYST, programs=["passport"]),
        analyst_out=create_user(
            "out@example.org", PASSWORD, Role.ANALYST, programs=["citizenship"]
        ),
        analyst_none=create_user("none@example.org", PASSWORD, Role.ANALYST),
        colleague=create_user(
            "colleague@example.org", PASSWORD, Role.ANALYST, programs=["passport"]
        ),
    )
    db.session.commit()
    return world


class FreshContextClient(FlaskClient):
    """A client whose every request runs in an app context of its own, as in production.

    The `db` fixture keeps an app context pushed for the whole test, and a request reuses it,
    with what Flask-Login (the user) and Flask-Babel (the locale) cached on `g` by the previous
    request, whoever made it. Tests that switch between users need each request to start afresh.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def new_client(app: Flask) -> FlaskClient:
    return FreshContextClient(app, app.response_class, use_cookies=True)


def client_as(app: Flask, user: User | None) -> FlaskClient:
    """A new client, signed in as `user` (Flask-Login's session keys), or anonymous for None."""
    client = new_client(app)
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.id
            session["_fresh"] = True
    return client
