"""Staff sign-in and sign-out: argon2 check, one generic refusal, fresh session, local `next`."""

from __future__ import annotations

import pytest

from feedback.accounts.models import Role
from feedback.accounts.services import create_user
from feedback.accounts.views import local_path
from tests.reporting.helpers import csrf_token

EMAIL, PASSWORD = "analyst@example.org", "correct horse battery staple"


@pytest.fixture()
def analyst(db):
    user = create_user(EMAIL, PASSWORD, Role.ANALYST)
    db.session.commit()
    return user


def sign_in(client, email=EMAIL, password=PASSWORD, url="/login"):
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "email": email, "password": password})


def test_login_page_labels_every_field(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label class="field__label" for="email">' in html
    assert '<label class="field__label" for="password">' in html
    assert 'autocomplete="current-password"' in html


def test_sign_in_then_dashboard_then_sign_out(client, analyst):
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200

    page = client.get("/dashboard").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "You have signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [
        (EMAIL, "wrong password"),
        ("nobody@example.org", PASSWORD),
    ],
)
def test_refusal_is_the_same_whatever_was_wrong(client, analyst, email, password):
    response = sign_in(client, email, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Email or password is incorrect." in html
    assert 'id="email-error"' in html and 'aria-describedby="email-error"' in html
    assert client.get("/dashboard").status_code == 302


def test_missing_fields_are_tied_to_their_inputs(client, analyst):
    html = sign_in(client, "", "").get_data(as_text=True)
    assert "Enter your email address." in html and "Enter your password." in html
    assert 'aria-describedby="password-error"' in html
    assert html.count('aria-invalid="true"') == 2
    assert 'href="#password"' in html  # the error summary links to the field


def test_sign_in_starts_a_fresh_session(client, analyst):
    client.get("/login?lang=fr")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "fr"  # the chosen language survives
        assert "_user_id" in session


def test_next_is_followed_only_to_local_paths(client, analyst):
    response = sign_in(client, url="/login?next=/reports/abc")
    assert response.headers["Location"] == "/reports/abc"
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/dashboard").text)})
    response = sign_in(client, url="/login?next=https://evil.example/")
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "evil",
        "",
        None,
        "/ok\n",
        "javascript:alert(1)",
    ],
)
def test_local_path_refuses_other_sites(target):
    assert local_path(target) is None


def test_local_path_keeps_paths_and_queries():
    assert local_path("/reports/1?x=2") == "/reports/1?x=2"


def test_logout_needs_post(client, analyst):
    sign_in(client)
    assert client.get("/logout").status_code == 405
