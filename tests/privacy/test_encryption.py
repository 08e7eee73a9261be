"""Contact details are encrypted at rest with a rotatable key (DATA_ENCRYPTION_KEYS)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from feedback.config import ConfigError, derived_data_key, from_environment
from feedback.invitations.models import Invitation
from feedback.privacy import keys
from tests.factories import make_sent_invitation, make_setup


def _stored(db, invitation_id: str) -> tuple[str | None, str | None]:
    row = db.session.execute(
        text("SELECT email, phone FROM invitations WHERE id = :id"), {"id": invitation_id}
    ).one()
    return row.email, row.phone


def test_email_and_phone_are_stored_encrypted_and_read_back_in_clear(db):
    _program, version, _rule = make_setup()
    invitation = make_sent_invitation(version, "tok")
    invitation.phone = "+16135550123"
    db.session.commit()
    email, phone = _stored(db, invitation.id)
    assert "example.org" not in email and "6135550123" not in phone
    db.session.expire_all()
    again = db.session.get(Invitation, invitation.id)
    assert (again.email, again.phone) == ("client1@example.org", "+16135550123")


def test_rotation_reencrypts_with_the_new_first_key(db, app, monkeypatch):
    _program, version, _rule = make_setup()
    invitation = make_sent_invitation(version, "tok")
    old_key = derived_data_key(app.config["SECRET_KEY"])  # testing: no keys set
    new_key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", [new_key, old_key])
    assert keys.rotate() == 1
    db.session.commit()
    email, _phone = _stored(db, invitation.id)
    assert Fernet(new_key.encode()).decrypt(email.encode()) == b"client1@example.org"
    # The old key can now go.
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", [new_key])
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).email == "client1@example.org"


def test_the_rotate_keys_command(db, app):
    _program, version, _rule = make_setup()
    make_sent_invitation(version, "tok", expires_in=timedelta(days=1))
    result = app.test_cli_runner().invoke(args=["privacy", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "1 invitation(s) re-encrypted" in result.output


def test_a_missing_key_outside_development_is_refused_at_start_up():
    with pytest.raises(ConfigError, match="DATA_ENCRYPTION_KEYS must be set"):
        from_environment("/tmp/x", {"FEEDBACK_ENV": "production", "SECRET_KEY": "s"})
    with pytest.raises(ConfigError, match="not a Fernet key"):
        from_environment(
            "/tmp/x",
            {"FEEDBACK_ENV": "production", "SECRET_KEY": "s", "DATA_ENCRYPTION_KEYS": "short"},
        )
    key = Fernet.generate_key().decode()
    config = from_environment(
        "/tmp/x",
        {"FEEDBACK_ENV": "production", "SECRET_KEY": "s", "DATA_ENCRYPTION_KEYS": f" {key} ,"},
    )
    assert config["DATA_ENCRYPTION_KEYS"] == [key]
    # Locally none is needed: one is derived from the app's SECRET_KEY when used.
    local = from_environment("/tmp/x", {"FEEDBACK_ENV": "development"})
    assert local["DATA_ENCRYPTION_KEYS"] == []
    Fernet(derived_data_key("any secret").encode())


def test_check_config_fails_on_a_missing_key_and_still_reports_the_rest(tmp_path):
    from feedback.config_check import FAIL, check_configuration

    findings = {
        f.subject: f
        for f in check_configuration(
            str(tmp_path), {"FEEDBACK_ENV": "production"}, connect_timeout=1
        )
    }
    assert findings["DATA_ENCRYPTION_KEYS"].level == FAIL
    assert "SECRET_KEY must be set" in findings["configuration"].message
