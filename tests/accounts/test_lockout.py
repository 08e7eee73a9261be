"""The sign-in lockout: after LOGIN_MAX_FAILURES failures an address waits, whether or not an
account has it; a success or an administrator's reset clears it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback.accounts.models import SignInThrottle
from feedback.db_types import utcnow
from feedback.extensions import db
from tests.accounts.helpers import post_form, shown_secret, sign_in
from tests.governance.conftest import PASSWORD, client_as, new_client

LOCKED_EN = (
    "Too many failed attempts. Try again in 15 minutes, or ask an administrator to reset "
    "your password."
)
LOCKED_FR = (
    "Trop de tentatives ont échoué. Réessayez dans 15 minutes ou demandez à un administrateur "
    "de réinitialiser votre mot de passe."
)


def fail(app, email: str, times: int, lang: str = "en"):
    answer = None
    for _ in range(times):
        answer = sign_in(new_client(app), email, "a wrong password", url=f"/login?lang={lang}")
        assert answer.status_code == 400
    return answer


@pytest.mark.parametrize(("lang", "message"), [("en", LOCKED_EN), ("fr", LOCKED_FR)])
def test_the_fifth_failure_locks_the_address_and_says_for_how_long(app, world, lang, message):
    assert "Too many" not in fail(app, world.analyst_in.email, 4).text
    locked = fail(app, world.analyst_in.email, 1, lang)
    assert message in locked.text
    assert 'aria-describedby="email-error"' in locked.text
    # Even the right password waits for the end of the lock.
    refused = sign_in(new_client(app), world.analyst_in.email, PASSWORD)
    assert refused.status_code == 400 and LOCKED_EN in refused.text


def test_an_unknown_address_is_locked_the_same_way(app, world):
    answer = fail(app, "nobody@example.org", 5)
    assert LOCKED_EN in answer.text
    assert db.session.query(SignInThrottle).count() == 1
    assert "nobody" not in db.session.query(SignInThrottle).one().email_hash


def test_the_lock_ends_after_its_time(app, world):
    fail(app, world.analyst_in.email, 5)
    throttle = db.session.query(SignInThrottle).one()
    throttle.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert sign_in(new_client(app), world.analyst_in.email, PASSWORD).status_code == 302


def test_a_success_clears_the_count(app, world):
    fail(app, world.analyst_in.email, 4)
    assert sign_in(new_client(app), world.analyst_in.email, PASSWORD).status_code == 302
    assert "Too many" not in fail(app, world.analyst_in.email, 4).text


def test_an_administrators_reset_lifts_the_lock(app, world):
    fail(app, world.analyst_in.email, 5)
    answer = post_form(
        client_as(app, world.admin), f"/admin/users/{world.analyst_in.id}/password", {}
    )
    password = shown_secret(answer.text)
    assert sign_in(new_client(app), world.analyst_in.email, password).status_code == 302


def test_the_limits_come_from_the_settings(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 2)
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_MINUTES", 1)
    answer = fail(app, world.analyst_in.email, 2)
    assert "Try again in 1 minute, or ask" in answer.text
