"""The administrators' user pages: create (scoped), change, deactivate, reset a password."""

from __future__ import annotations

import pytest

from feedback.accounts.models import Role, User
from feedback.extensions import db
from tests.accounts.helpers import post_form, shown_secret, sign_in
from tests.governance.conftest import PASSWORD, client_as, new_client

ADMIN_PAGES = ("/admin/users", "/admin/users/new", "/admin/api-keys", "/admin/audit")


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


def test_an_admin_creates_a_scoped_program_manager_who_sees_only_their_program(app, world):
    admin = client_as(app, world.admin)
    answer = post_form(
        admin,
        "/admin/users/new",
        {
            "email": " New.PM@example.org ",
            "role": "program_manager",
            "programs": ["citizenship"],
            "password": "a temporary password",
        },
    )
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert shown_secret(answer.text) == "a temporary password"
    assert "it will not be shown again" in answer.text
    created = user("new.pm@example.org")
    assert created.role is Role.PROGRAM_MANAGER
    assert [p.code for p in created.programs] == ["citizenship"]
    assert "a temporary password" not in admin.get("/admin/users").text

    person = new_client(app)
    assert sign_in(person, "new.pm@example.org", "a temporary password").status_code == 302
    dashboard = person.get("/dashboard").text
    assert "/admin/users" not in dashboard and "/admin/audit" not in dashboard
    for page in ADMIN_PAGES:
        assert person.get(page).status_code == 403, page


def test_a_generated_password_is_shown_once_and_works(app, world):
    answer = post_form(
        client_as(app, world.admin),
        "/admin/users/new",
        {"email": "analyst2@example.org", "role": "analyst", "programs": ["passport"]},
    )
    password = shown_secret(answer.text)
    assert len(password) >= 12
    assert sign_in(new_client(app), "analyst2@example.org", password).status_code == 302


def test_the_form_shows_each_error_beside_its_field_in_french(app, world):
    answer = post_form(
        client_as(app, world.admin),
        "/admin/users/new?lang=fr",
        {"email": "not an address", "role": "analyst", "password": "short"},
    )
    html = answer.text
    assert answer.status_code == 400
    assert html.count('class="error-summary"') == 1
    assert "Entrez une adresse courriel comme nom@exemple.org." in html
    assert "Choisissez au moins un programme pour ce rôle." in html
    assert "Le mot de passe doit compter au moins 12 caractères." in html
    assert (
        'href="#programs-0"' in html and 'aria-describedby="programs-hint programs-error"' in html
    )
    assert 'aria-describedby="email-hint email-error"' in html
    assert user("not an address") is None


def test_an_address_already_taken_is_refused(app, world):
    answer = post_form(
        client_as(app, world.admin),
        "/admin/users/new",
        {"email": world.manager.email.upper(), "role": "admin"},
    )
    assert answer.status_code == 400
    assert "A user already has this email address." in answer.text


def test_an_admin_changes_a_users_role_and_programs(app, world):
    admin = client_as(app, world.admin)
    page = admin.get(f"/admin/users/{world.manager.id}").text
    assert 'value="passport" checked' in page or 'checked id="programs-' in page
    answer = post_form(
        admin,
        f"/admin/users/{world.manager.id}",
        {"role": "analyst", "programs": ["passport", "citizenship"]},
    )
    assert answer.status_code == 303
    changed = user(world.manager.email)
    assert changed.role is Role.ANALYST
    assert [p.code for p in changed.programs] == ["citizenship", "passport"]


def test_deactivation_ends_the_session_and_refuses_sign_in_until_reactivated(app, world):
    person = new_client(app)
    assert sign_in(person, world.analyst_in.email, PASSWORD).status_code == 302
    assert person.get("/dashboard").status_code == 200

    admin = client_as(app, world.admin)
    answer = post_form(
        admin,
        f"/admin/users/{world.analyst_in.id}/active",
        {"active": "0"},
        page=f"/admin/users/{world.analyst_in.id}",
    )
    assert answer.status_code == 303
    assert "can no longer sign in" in admin.get("/admin/users").text
    assert not user(world.analyst_in.email).active

    assert person.get("/dashboard").status_code == 302  # the open session has ended
    refused = sign_in(new_client(app), world.analyst_in.email, PASSWORD)
    assert refused.status_code == 400 and "Email or password is incorrect." in refused.text

    post_form(
        admin,
        f"/admin/users/{world.analyst_in.id}/active",
        {"active": "1"},
        page=f"/admin/users/{world.analyst_in.id}",
    )
    assert sign_in(new_client(app), world.analyst_in.email, PASSWORD).status_code == 302


def test_an_admin_cannot_deactivate_themselves_nor_remove_the_last_admin(app, world):
    admin = client_as(app, world.admin)
    assert (
        f"/admin/users/{world.admin.id}/active"
        not in admin.get(f"/admin/users/{world.admin.id}").text
    )
    assert (
        f"/admin/users/{world.manager.id}/active"
        in admin.get(f"/admin/users/{world.manager.id}").text
    )
    post_form(
        admin,
        f"/admin/users/{world.admin.id}/active",
        {"active": "0"},
        page=f"/admin/users/{world.admin.id}",
    )
    assert "You cannot deactivate your own account." in admin.get("/admin/users").text
    assert user(world.admin.email).active

    demoted = post_form(
        admin,
        f"/admin/users/{world.admin.id}?lang=fr",
        {"role": "analyst", "programs": ["passport"]},
    )
    assert demoted.status_code == 400
    assert "au moins un administrateur actif" in demoted.text
    assert user(world.admin.email).role is Role.ADMIN


def test_a_password_reset_replaces_the_old_one(app, world):
    answer = post_form(
        client_as(app, world.admin), f"/admin/users/{world.colleague.id}/password", {}
    )
    new_password = shown_secret(answer.text)
    assert answer.headers["Cache-Control"] == "no-store"
    assert sign_in(new_client(app), world.colleague.email, PASSWORD).status_code == 400
    assert sign_in(new_client(app), world.colleague.email, new_password).status_code == 302


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_staff_navigation_links_the_admin_pages_for_admins_only(app, world, lang):
    html = client_as(app, world.admin).get(f"/dashboard?lang={lang}").text
    for path in ("/admin/users", "/admin/api-keys", "/admin/audit"):
        assert f'href="{path}"' in html
    html = client_as(app, world.manager).get(f"/dashboard?lang={lang}").text
    assert "/admin/" not in html
