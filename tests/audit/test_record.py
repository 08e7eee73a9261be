"""What the audit log keeps of each change to users, keys, questionnaires and rules: who, when,
the values before and after, and never a secret."""

from __future__ import annotations

import json

from sqlalchemy import select

from feedback.accounts import services as accounts
from feedback.accounts.models import Role, User
from feedback.audit.models import AuditEvent
from feedback.audit.services import record
from feedback.extensions import db
from feedback.questionnaires import authoring
from feedback.questionnaires.authoring import QuestionSpec
from tests.accounts.helpers import post_form
from tests.factories import make_program, make_rule
from tests.governance.conftest import client_as


def events(action_prefix: str = "") -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action.startswith(action_prefix))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def everything_logged() -> str:
    return json.dumps([[e.actor, e.before, e.after] for e in events()])


def test_only_what_changed_is_kept_and_secrets_are_masked(db):
    program = make_program()
    kept = record("thing.update", program, {"a": 1, "b": 2}, {"a": 1, "b": 3, "secret": "s3"})
    assert (kept.before, kept.after) == ({"b": 2}, {"b": 3, "secret": "(changed)"})
    assert (kept.object_type, kept.object_id, kept.actor) == ("thing", program.id, "system")
    assert record("thing.update", program, {"a": 1}, {"a": 1}) is None


def test_user_changes_are_recorded_by_whoever_made_them_without_passwords(app, world):
    db.session.query(AuditEvent).delete()
    db.session.commit()
    admin = client_as(app, world.admin)
    post_form(
        admin,
        "/admin/users/new",
        {"email": "pm@example.org", "role": "program_manager", "programs": ["passport"],
         "password": "a secret password"},
    )  # fmt: skip
    pm = db.session.scalar(select(User).where(User.email == "pm@example.org"))
    post_form(admin, f"/admin/users/{pm.id}", {"role": "analyst", "programs": ["passport"]})
    post_form(admin, f"/admin/users/{pm.id}/active", {"active": "0"}, page=f"/admin/users/{pm.id}")
    post_form(admin, f"/admin/users/{pm.id}/password", {"password": "another secret one"})

    created, updated, deactivated, password = events("user.")
    assert created.action == "user.create" and created.before is None
    assert created.after == {
        "email": "pm@example.org",
        "role": "program_manager",
        "programs": ["passport"],
        "active": True,
    }
    assert (updated.before, updated.after) == ({"role": "program_manager"}, {"role": "analyst"})
    assert (deactivated.before, deactivated.after) == ({"active": True}, {"active": False})
    assert password.after == {"password": "(changed)"}
    assert {e.actor for e in events()} == {world.admin.email}
    assert {e.actor_user_id for e in events()} == {world.admin.id}
    logged = everything_logged()
    assert "a secret password" not in logged and "another secret one" not in logged
    assert pm.password_hash not in logged and "argon2" not in logged


def test_the_command_line_is_the_actor_of_its_changes(app, world):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "cli@example.org", "--password", "pw-123456789",
              "--role", "analyst", "--program", "passport"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    [created] = [e for e in events("user.create") if e.after["email"] == "cli@example.org"]
    assert created.actor == "cli" and created.actor_user_id is None


def test_api_keys_are_recorded_without_their_secret(world):
    key, plaintext = accounts.create_api_key("crm", ["passport"])
    accounts.revoke_api_key(key.id)
    db.session.commit()
    created, revoked = events("api_key.")
    assert created.after["name"] == "crm" and created.after["programs"] == ["passport"]
    assert created.after["prefix"] == f"fbk_{key.prefix}"
    assert revoked.before == {"revoked_at": None} and revoked.after["revoked_at"]
    logged = everything_logged()
    assert plaintext.split("_", 2)[2] not in logged and key.secret_hash not in logged


def test_questionnaire_changes_are_recorded_with_their_program(world):
    draft = authoring.create_questionnaire(
        world.citizenship, "quick", {"en": "Quick", "fr": "Vite"}
    )
    question = authoring.add_question(
        draft, QuestionSpec(code="overall", kind="rating", text={"en": "How?", "fr": "Comment?"})
    )
    authoring.add_question(
        draft,
        QuestionSpec(code="comment", kind="free_text", text={"en": "Why?", "fr": "Pourquoi?"}),
    )
    authoring.edit_question(
        question,
        QuestionSpec(code="overall", kind="rating", text={"en": "How so?", "fr": "Comment?"}),
    )
    authoring.move_question(question, 2)
    authoring.publish(draft)
    second = authoring.new_draft(draft.questionnaire)
    authoring.remove_question(second.questions[0])
    db.session.commit()

    logged = [e for e in events("questionnaire.") if e.object_id == draft.questionnaire.id]
    assert [e.action for e in logged] == [
        "questionnaire.create",
        "questionnaire.add_question",
        "questionnaire.add_question",
        "questionnaire.edit_question",
        "questionnaire.move_question",
        "questionnaire.publish",
        "questionnaire.new_draft",
        "questionnaire.remove_question",
    ]
    assert {e.program_id for e in logged} == {world.citizenship.id}
    edit = logged[3]
    assert edit.before["v1.questions.overall"]["text"] == {"en": "How?", "fr": "Comment?"}
    assert edit.after["v1.questions.overall"]["text"] == {"en": "How so?", "fr": "Comment?"}
    assert (logged[4].before, logged[4].after) == (
        {"v1.order": ["overall", "comment"]},
        {"v1.order": ["comment", "overall"]},
    )
    assert logged[7].before.keys() == {"v2.questions.comment"} and logged[7].after is None


def test_a_new_rule_and_the_one_it_replaces_are_recorded(world):
    old = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rule.create"))
    assert old is not None  # the world's passport rule
    rule = make_rule(world.passport, world.version, delay_minutes=30)
    db.session.commit()
    replaced, created = events("rule.")[1:]
    assert replaced.action == "rule.deactivate" and replaced.object_id == old.object_id
    assert (replaced.before, replaced.after) == ({"active": True}, {"active": False})
    assert created.object_id == rule.id and created.program_id == world.passport.id
    assert created.after["delay_minutes"] == 30 and created.after["channel"] == "email"
    assert created.after["questionnaire"] == "after-contact v1"


def test_an_admin_created_with_the_role_field_records_no_programs(world):
    admin = accounts.create_user("boss@example.org", "pw", Role.ADMIN, programs=["passport"])
    [created] = [e for e in events("user.create") if e.object_id == admin.id]
    assert created.after["programs"] == []
