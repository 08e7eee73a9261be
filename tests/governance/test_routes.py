"""Every route is public by name or guarded by a permission, and each guard answers as the
permission table and the program scopes say, for every role."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask, url_for
from sqlalchemy import select
from werkzeug.routing import Rule

from feedback.accounts.models import Role, User
from feedback.accounts.services import create_api_key, create_user
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.governance.permissions import ROLE_PERMISSIONS, Permission
from feedback.questionnaires.authoring import new_draft
from feedback.reporting import services, tasks
from feedback.reporting.models import ReportStatus
from tests.follow_ups.helpers import make_follow_up
from tests.governance.conftest import PASSWORD, client_as
from tests.reporting.actions.helpers import irritants, make_action
from tests.walk_in.helpers import walk_in_point

#: Routes anyone may call, each for a reason: assets; the survey pages (the client's token is
#: the key); sign-in; the API (its own key auth); channel webhooks (signed by the provider);
#: dev tools (only registered in local environments); the site root (a redirect to the
#: dashboard, which is guarded); walk-in open links (the poster's token is the key, rate limited).
PUBLIC_ENDPOINTS = {"static", "accounts.login", "reporting.root"}
PUBLIC_PREFIXES = ("surveys.", "api.", "channel_", "devtools.", "walk_in_visit.")
#: Routes any signed-in user may call, whatever their role.
SIGN_IN_ONLY = {"accounts.logout"}
READ_METHODS = {"GET"}


def is_public(endpoint: str) -> bool:
    return endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(PUBLIC_PREFIXES)


def staff_rules(app: Flask) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if not is_public(rule.endpoint)),
        key=lambda rule: (rule.endpoint, rule.rule),
    )


def permission_of(app: Flask, endpoint: str) -> Permission | None:
    return getattr(app.view_functions[endpoint], "required_permission", None)


@pytest.fixture()
def sample_values(world, report_id) -> dict[str, str]:
    """A value for each URL argument of the staff routes, naming an object of passport's."""
    key, _ = create_api_key("passport crm", ["passport"])
    db.session.commit()
    rule = db.session.scalar(select(DistributionRule).filter_by(program_id=world.passport.id))
    return {
        "report_id": report_id,
        "output": "pdf-en",
        "user_id": world.manager.id,
        "key_id": key.id,
        "point_id": walk_in_point(world.passport).id,
        "rule_id": rule.id,
        "item_id": make_follow_up(world.passport, world.version).id,
        "action_id": make_action(world.passport).id,
        **_builder_values(world),
    }


def _builder_values(world) -> dict[str, object]:
    """The program pages' and the questionnaire builder's: passport's questionnaire, with a
    draft (version 2) whose first question is named."""
    draft = new_draft(world.version.questionnaire)
    db.session.commit()
    return {
        "program_id": world.passport.id,
        "questionnaire_id": world.version.questionnaire_id,
        "question_id": draft.questions[0].id,
        "number": world.version.number,
        "lang": "en",
    }


@pytest.fixture()
def report_id(app, world) -> str:
    """A ready report about passport, asked for by a passport analyst none of the roles is."""
    report = services.request_report(date(2026, 1, 1), date(2026, 1, 31), world.colleague)
    assert report.params["programs"] == [world.passport.id]
    services.generate(report.id)  # commits
    assert report.status is ReportStatus.READY
    return report.id


def test_every_staff_route_names_its_permission(app):
    rules = staff_rules(app)
    assert {"reporting.dashboard", "reporting.request_report"} <= {r.endpoint for r in rules}
    missing = [
        f"{rule.endpoint} {rule.rule}"
        for rule in rules
        if rule.endpoint not in SIGN_IN_ONLY and permission_of(app, rule.endpoint) is None
    ]
    assert not missing, f"staff routes without @requires(Permission...): {missing}"


def test_sign_in_only_routes_still_need_a_sign_in(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    for endpoint in SIGN_IN_ONLY:
        with app.test_request_context():
            url = url_for(endpoint)
        response = client_as(app, None).post(url)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
        assert client_as(app, world.analyst_none).post(url).status_code == 302


def test_every_staff_page_answers_each_role_as_the_table_says(app, world, sample_values):
    values = sample_values
    checked = []
    for rule in staff_rules(app):
        if rule.endpoint in SIGN_IN_ONLY or not (rule.methods or set()) & READ_METHODS:
            continue
        unknown = set(rule.arguments) - set(values)
        assert not unknown, f"add sample values for {rule.endpoint}'s arguments {unknown}"
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
        permission = permission_of(app, rule.endpoint)
        # An object named in the URL is passport's: outside their programs, users get 404.
        in_passport = 404 if rule.arguments else 200

        anonymous = client_as(app, None).get(url)
        assert anonymous.status_code == 302, url
        assert anonymous.headers["Location"].startswith("/login?next="), url
        for user, in_scope in [
            (world.admin, True),
            (world.manager, True),
            (world.analyst_in, True),
            (world.analyst_out, False),
        ]:
            if permission not in ROLE_PERMISSIONS[user.role]:
                expected = 403
            else:
                expected = 200 if in_scope else in_passport
            response = client_as(app, user).get(url)
            assert response.status_code == expected, (url, user.email, response.status_code)
            if expected == 403:
                assert "You do not have access to this page" in response.text
        checked.append(rule.endpoint)
    assert {
        "reporting.dashboard",
        "reporting.report_status",
        "reporting.report_file",
        "reporting.report_view",
        "reporting.report_progress",
        "reporting.new_report",
        "users.index",
        "users.edit",
        "users.reset_password",
        "api_keys.index",
        "api_keys.revoke",
        "audit.index",
        "audit.export",
        "actions.index",
        "actions.create",
        "actions.edit",
        "actions.delete",
        "export.responses",
        "rules.index",
        "rules.create",
        "rules.edit",
        "rules.simulate_page",
    } <= set(checked)


def test_every_staff_action_refuses_anonymous_users_and_roles_without_its_permission(
    app, world, monkeypatch, sample_values
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # restored after the test
    monkeypatch.setattr(tasks.generate_report, "delay", lambda _report_id: None)
    for rule in staff_rules(app):
        if rule.endpoint in SIGN_IN_ONLY or "POST" not in (rule.methods or set()):
            continue
        unknown = set(rule.arguments) - set(sample_values)
        assert not unknown, f"add sample values for {rule.endpoint}'s arguments {unknown}"
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: sample_values[name] for name in rule.arguments})
        anonymous = client_as(app, None).post(url)
        assert anonymous.status_code == 302
        assert anonymous.headers["Location"].startswith("/login?next="), url
        permission = permission_of(app, rule.endpoint)
        for user in (world.admin, world.manager, world.analyst_in, world.analyst_out):
            if permission not in ROLE_PERMISSIONS[user.role]:
                response = client_as(app, user).post(url)
                assert response.status_code == 403, (url, user.email)
                assert "You do not have access to this page" in response.text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("analyst_in", 302),
        ("analyst_out", 302),
        ("manager", 403),
        ("admin", 302),
    ],
)
def test_requesting_a_report(app, world, monkeypatch, who, status):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # restored after the test
    queued: list[str] = []
    monkeypatch.setattr(tasks.generate_report, "delay", queued.append)
    user = getattr(world, who) if who else None
    response = client_as(app, user).post(
        "/reports", data={"date_from": "2026-01-01", "date_to": "2026-01-31"}
    )
    assert response.status_code == status
    if user is None:
        assert response.headers["Location"].startswith("/login?next=")
    elif status == 302:
        assert response.headers["Location"] == f"/reports/{queued[0]}"
    else:
        assert queued == []


#: What the page of each action naming an object would post (the rest post nothing): with it,
#: a view that forgot the scope would change something, not stop at a form error.
ACTION_FORMS: dict[str, dict[str, str]] = {
    "follow_ups.add_note": {"text": "Called the client back."},
    "actions.edit": {
        "theme": irritants()[0],
        "text_en": "Done.",
        "text_fr": "Fait.",
        "status": "done",
        "action_date": "2026-12-31",
        "owner": "",
    },
    "follow_ups.item": {"status": "in_progress", "owner": "", "due_on": "2026-12-31"},
    "programs.edit": {"name_en": "Passports", "name_fr": "Passeports", "timezone": "UTC"},
    "questionnaires.draft": {
        "title_en": "Another title",
        "title_fr": "Un autre titre",
        "intro_en": "Hello.",
        "intro_fr": "Bonjour.",
    },
    "questionnaires.move_question": {"direction": "down"},
    "questionnaires.add_question": {
        "code": "extra",
        "kind": "free_text",
        "text_en": "Anything else?",
        "text_fr": "Autre chose ?",
        "show_if_question": "",
        "topic": "",
    },
    "questionnaires.edit_question": {
        "code": "renamed",
        "kind": "free_text",
        "text_en": "Anything else?",
        "text_fr": "Autre chose ?",
        "show_if_question": "",
        "topic": "",
    },
}


def table_rows() -> dict[str, list[str]]:
    """Every row of every table, the audit log's included, as text in a stable order."""
    with db.engine.connect() as conn:
        return {
            table.name: sorted(repr(tuple(row)) for row in conn.execute(select(table)))
            for table in db.metadata.sorted_tables
        }


def changed_tables(before: dict[str, list[str]]) -> list[str]:
    after = table_rows()
    return [name for name, rows in before.items() if after[name] != rows]


@pytest.fixture()
def other_manager(world) -> User:
    """A program manager of citizenship only: every object of the world's samples is not theirs."""
    user = create_user(
        "other-manager@example.org", PASSWORD, Role.PROGRAM_MANAGER, programs=["citizenship"]
    )
    db.session.commit()
    return user


def test_every_action_on_an_object_of_another_program_answers_404_and_changes_nothing(
    app, world, monkeypatch, sample_values, other_manager
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # restored after the test
    monkeypatch.setattr(tasks.generate_report, "delay", lambda _report_id: None)
    checked = []
    for rule in staff_rules(app):
        if "POST" not in (rule.methods or set()) or not rule.arguments:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **{name: sample_values[name] for name in rule.arguments})
        # A manager's permissions, but not on passport's objects; without the permission, 403.
        has_permission = permission_of(app, rule.endpoint) in ROLE_PERMISSIONS[other_manager.role]
        before = table_rows()
        response = client_as(app, other_manager).post(url, data=ACTION_FORMS.get(rule.endpoint))
        assert response.status_code == (404 if has_permission else 403), (
            url,
            response.status_code,
        )
        assert changed_tables(before) == [], url
        if has_permission:
            checked.append(rule.endpoint)
    assert {
        "actions.delete",
        "actions.edit",
        "follow_ups.add_note",
        "follow_ups.item",
        "follow_ups.policy",
        "programs.edit",
        "questionnaires.add_question",
        "questionnaires.draft",
        "questionnaires.edit_question",
        "questionnaires.move_question",
        "questionnaires.new_draft",
        "questionnaires.publish",
        "questionnaires.remove_question",
        "rules.deactivate",
        "rules.edit",
        "walk_in.deactivate",
    } <= set(checked)


@pytest.mark.parametrize(
    ("endpoint", "query", "form"),
    [
        ("rules.create", {"program": "passport"}, {}),
        ("rules.simulate_page", {}, {"program": "passport", "contact_type": "call"}),
        (
            "walk_in.create",
            {},
            {
                "program": "passport",
                "office_code": "gatineau",
                "name_en": "Gatineau office",
                "name_fr": "Bureau de Gatineau",
            },
        ),
        (
            "actions.create",
            {},
            {
                "program": "passport",
                "theme": irritants()[0],
                "text_en": "Leak",
                "text_fr": "Fuite",
                "status": "done",
                "action_date": "2026-12-31",
            },
        ),
        (
            "questionnaires.create",
            {},
            {"program": "passport", "code": "leak", "title_en": "Leak", "title_fr": "Fuite"},
        ),
        (
            "questionnaires.create",
            {"program": "passport"},
            {"code": "leak", "title_en": "Leak", "title_fr": "Fuite"},
        ),
    ],
)
def test_creating_for_another_program_creates_nothing(
    app, world, monkeypatch, other_manager, endpoint, query, form
):
    """Actions on no object in the URL, whose program is a query or form field: outside the
    user's programs, it is as good as absent (404) or not a choice (the form's error)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # restored after the test
    with app.test_request_context():
        url = url_for(endpoint, **query)
    before = table_rows()
    response = client_as(app, other_manager).post(url, data=form)
    assert response.status_code in (400, 404), (url, response.status_code)
    assert changed_tables(before) == [], url
