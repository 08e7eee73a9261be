"""Contact details are encrypted at rest with a rotatable key (DATA_ENCRYPTION_KEYS)."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from feedback.config import ConfigError, derived_data_key, from_environment
from feedback.data_keys import VERSION, DataCipher, key_id
from feedback.follow_ups.models import FollowUp
from feedback.invitations.models import Invitation
from feedback.privacy import keys
from tests.factories import make_sent_invitation, make_setup
from tests.follow_ups.helpers import make_follow_up


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
    assert keys.rotate() == {"invitations": 1, "follow_ups": 0}
    db.session.commit()
    email, _phone = _stored(db, invitation.id)
    assert base64.urlsafe_b64decode(email)[1:5] == key_id(new_key)
    assert DataCipher([new_key]).decrypt(email) == "client1@example.org"
    # The old key can now go.
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", [new_key])
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).email == "client1@example.org"


def test_the_rotate_keys_command(db, app):
    _program, version, _rule = make_setup()
    make_sent_invitation(version, "tok", expires_in=timedelta(days=1))
    result = app.test_cli_runner().invoke(args=["privacy", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "1 invitation(s) and 0 follow-up(s) re-encrypted" in result.output


def test_a_value_written_with_fernet_before_still_reads_and_rotation_rewrites_it(db, app):
    _program, version, _rule = make_setup()
    invitation = make_sent_invitation(version, "tok")
    key = derived_data_key(app.config["SECRET_KEY"])
    legacy = Fernet(key.encode()).encrypt(b"old@example.org").decode()
    db.session.execute(
        text("UPDATE invitations SET email = :email WHERE id = :id"),
        {"email": legacy, "id": invitation.id},
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).email == "old@example.org"
    keys.rotate()
    db.session.commit()
    email, _phone = _stored(db, invitation.id)
    assert base64.urlsafe_b64decode(email)[0] == VERSION
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).email == "old@example.org"


def test_a_value_altered_or_under_an_unknown_key_is_refused():
    first, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    cipher = DataCipher([first])
    token = cipher.encrypt("client@example.org")
    assert token != cipher.encrypt("client@example.org")  # a fresh nonce each time
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[-1] ^= 1
    for bad in (base64.urlsafe_b64encode(bytes(raw)).decode(), "not base64!", "AAAA"):
        with pytest.raises(InvalidToken):
            cipher.decrypt(bad)
    with pytest.raises(InvalidToken):
        DataCipher([other]).decrypt(token)
    # Both keys configured, either one first: what either wrote reads.
    assert DataCipher([other, first]).decrypt(token) == "client@example.org"


def test_rotation_covers_follow_ups_too(db, app, monkeypatch):
    program, version, _rule = make_setup()
    follow_up = make_follow_up(program, version, email="follow@example.org")
    old_key = derived_data_key(app.config["SECRET_KEY"])
    new_key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", [new_key, old_key])
    counts = keys.rotate()
    db.session.commit()
    assert counts["follow_ups"] == 1
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", [new_key])
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).email == "follow@example.org"


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
