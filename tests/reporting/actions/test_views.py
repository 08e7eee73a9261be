"""The "you said, we did" pages through the web client: list, create, edit, delete, errors in
both languages, program scope, the audit log and the staff navigation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from feedback.accounts.models import Role
from feedback.accounts.services import create_user
from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.reporting.actions.models import ActionStatus, ThemeAction
from feedback.reporting.themes.taxonomy import THEMES
from tests.governance.conftest import PASSWORD, client_as
from tests.reporting.actions.helpers import irritants, make_action


@pytest.fixture()
def no_csrf(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


def _form(theme: str, **overrides: str) -> dict[str, str]:
    return {
        "program": "passport",
        "theme": theme,
        "text_en": "Extended the call centre's hours.",
        "text_fr": "Heures du centre d'appels prolongées.",
        "status": "planned",
        "action_date": "2026-04-01",
        "owner": "",
        **overrides,
    }


def test_a_manager_records_an_action_and_finds_it_in_the_list(app, world, no_csrf):
    theme = irritants()[0]
    manager = client_as(app, world.manager)
    assert 'href="/actions"' in manager.get("/actions").text  # the staff navigation
    form = _form(theme, owner=world.manager.id)
    response = manager.post("/actions/new", data=form)
    assert response.status_code == 303 and response.headers["Location"] == "/actions"
    action = db.session.scalars(select(ThemeAction)).one()
    assert (action.program_id, action.theme, action.status) == (
        world.passport.id,
        theme,
        ActionStatus.PLANNED,
    )
    assert action.owner_id == world.manager.id and action.action_date.isoformat() == "2026-04-01"
    listing = manager.get("/actions")
    assert "Extended the call centre&#39;s hours." in listing.text
    assert THEMES[theme].label("en") in listing.text
    french = manager.get("/actions?lang=fr")
    assert "Heures du centre d&#39;appels prolongées." in french.text
    assert THEMES[theme].label("fr") in french.text and "Prévue" in french.text
    event = db.session.scalars(select(AuditEvent).filter_by(action="action.create")).one()
    assert event.actor == "manager@example.org" and event.after["theme"] == theme


def test_editing_changes_the_action_and_audits_what_changed(app, world, no_csrf):
    action = make_action(world.passport)
    db.session.commit()
    manager = client_as(app, world.manager)
    page = manager.get(f"/actions/{action.id}")
    assert page.status_code == 200 and "Added call-back at peak hours." in page.text
    form = _form(action.theme, status="done", text_en="Call-back is now offered all day.")
    del form["program"]
    assert manager.post(f"/actions/{action.id}", data=form).status_code == 303
    db.session.expire_all()
    assert action.status is ActionStatus.DONE
    assert action.text_en == "Call-back is now offered all day."
    event = db.session.scalars(select(AuditEvent).filter_by(action="action.edit")).one()
    assert event.before["status"] == "in_progress" and event.after["status"] == "done"
    assert event.after["text_en"] == "Call-back is now offered all day."


@pytest.mark.parametrize(
    ("lang", "messages"),
    [
        (
            "en",
            [
                "Choose a theme from the list.",
                "Enter what was done in English.",
                "Enter what was done in French.",
                "Enter a date like 2026-01-31.",
            ],
        ),
        (
            "fr",
            [
                "Choisissez un thème dans la liste.",
                "Décrivez ce qui a été fait en anglais.",
                "Décrivez ce qui a été fait en français.",
                "Entrez une date comme 2026-01-31.",
            ],
        ),
    ],
)
def test_errors_are_shown_beside_their_fields_in_each_language(app, world, no_csrf, lang, messages):
    manager = client_as(app, world.manager)
    form = _form("", text_en="", text_fr="  ", action_date="")
    response = manager.post(f"/actions/new?lang={lang}", data=form)
    assert response.status_code == 400
    for message in messages:
        assert message in response.text, message
    assert 'href="#theme"' in response.text  # the summary leads to the field
    assert 'aria-describedby="text_en-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.session.scalar(select(func.count()).select_from(ThemeAction)) == 0


def test_texts_are_limited_and_the_owner_must_work_on_the_program(app, world, no_csrf):
    manager = client_as(app, world.manager)
    form = _form(irritants()[0], text_fr="x" * 501, owner=world.analyst_out.id)
    response = manager.post("/actions/new", data=form)
    assert response.status_code == 400
    assert "Use 500 characters or fewer." in response.text
    # The owner list offers only the staff of the manager's programs.
    assert "Choose someone who works on this program." in response.text
    assert db.session.scalar(select(func.count()).select_from(ThemeAction)) == 0


def test_deleting_asks_first_then_deletes_and_audits(app, world, no_csrf):
    action = make_action(world.passport)
    db.session.commit()
    manager = client_as(app, world.manager)
    confirm = manager.get(f"/actions/{action.id}/delete?lang=fr")
    assert confirm.status_code == 200 and "Supprimer l'action" in confirm.text
    assert manager.post(f"/actions/{action.id}/delete").status_code == 303
    assert db.session.scalar(select(func.count()).select_from(ThemeAction)) == 0
    event = db.session.scalars(select(AuditEvent).filter_by(action="action.delete")).one()
    assert event.object_id == action.id and event.before["text_en"] == action.text_en


def test_another_programs_manager_neither_sees_nor_changes_the_action(app, world, no_csrf):
    action = make_action(world.passport)
    other = create_user("pm@example.org", PASSWORD, Role.PROGRAM_MANAGER, ["citizenship"])
    db.session.commit()
    outsider = client_as(app, other)
    assert action.id not in outsider.get("/actions").text
    assert outsider.get(f"/actions/{action.id}").status_code == 404
    assert outsider.post(f"/actions/{action.id}", data=_form(action.theme)).status_code == 404
    assert outsider.post(f"/actions/{action.id}/delete").status_code == 404
    refused = outsider.post("/actions/new", data=_form(action.theme))  # passport: not a choice
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ThemeAction)) == 1
    assert client_as(app, world.analyst_in).get("/actions").status_code == 403
    assert 'href="/actions"' not in client_as(app, world.analyst_in).get("/exports/responses").text


def test_an_administrator_sees_every_programs_actions(app, world):
    ours = make_action(world.passport)
    theirs = make_action(world.citizenship)
    db.session.commit()
    listing = client_as(app, world.admin).get("/actions")
    assert f"/actions/{ours.id}" in listing.text and f"/actions/{theirs.id}" in listing.text
