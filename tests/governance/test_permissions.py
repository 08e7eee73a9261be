"""The permission table, `can` and `program_scope` for each role, in and out of scope."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from feedback.accounts.models import Role
from feedback.governance.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    can,
    program_scope,
    requires,
    within_scope,
)

P = Permission


def test_the_table_gives_each_role_its_permissions():
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert ROLE_PERMISSIONS[Role.PROGRAM_MANAGER] == {
        P.VIEW_REPORTS,
        P.MANAGE_QUESTIONNAIRES,
        P.EDIT_PROGRAMS,
        P.MANAGE_RULES,
        P.MANAGE_FOLLOW_UPS,
        P.MANAGE_ACTIONS,
    }
    assert ROLE_PERMISSIONS[Role.ANALYST] == {
        P.VIEW_REPORTS,
        P.REQUEST_REPORTS,
        P.EXPORT_RESPONSES,
    }
    assert set(ROLE_PERMISSIONS) == set(Role)  # a new role must be given its row


def test_the_table_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        ROLE_PERMISSIONS[Role.ANALYST] = frozenset(Permission)  # type: ignore[index]


def test_an_admin_can_do_everything_on_every_program(world):
    for permission in Permission:
        assert can(world.admin, permission)
        assert can(world.admin, permission, world.passport.id)
        assert can(world.admin, permission, world.citizenship.id)
    assert program_scope(world.admin) is None


def test_a_program_manager_can_do_their_role_on_their_programs_only(world):
    for permission in Permission:
        allowed = permission in {
            P.VIEW_REPORTS,
            P.MANAGE_QUESTIONNAIRES,
            P.EDIT_PROGRAMS,
            P.MANAGE_RULES,
            P.MANAGE_FOLLOW_UPS,
            P.MANAGE_ACTIONS,
        }
        assert can(world.manager, permission) is allowed, permission
        assert can(world.manager, permission, world.passport.id) is allowed, permission
        assert can(world.manager, permission, world.citizenship.id) is False, permission
    assert program_scope(world.manager) == {world.passport.id}


def test_an_analyst_can_see_request_and_export_reports_of_their_programs_only(world):
    for permission in Permission:
        allowed = permission in {P.VIEW_REPORTS, P.REQUEST_REPORTS, P.EXPORT_RESPONSES}
        assert can(world.analyst_in, permission) is allowed, permission
        assert can(world.analyst_in, permission, world.passport.id) is allowed, permission
        assert can(world.analyst_in, permission, world.citizenship.id) is False, permission
        assert can(world.analyst_out, permission, world.citizenship.id) is allowed, permission
        assert can(world.analyst_out, permission, world.passport.id) is False, permission
    assert program_scope(world.analyst_in) == {world.passport.id}
    assert program_scope(world.analyst_out) == {world.citizenship.id}


def test_a_user_without_programs_has_an_empty_scope_not_everything(world):
    assert program_scope(world.analyst_none) == set()
    assert can(world.analyst_none, P.VIEW_REPORTS)  # the role allows it, on nothing
    assert not can(world.analyst_none, P.VIEW_REPORTS, world.passport.id)
    assert not within_scope(world.analyst_none, None)


@pytest.mark.parametrize("user", [None, AnonymousUserMixin()])
@pytest.mark.parametrize("permission", list(Permission))
def test_anonymous_users_can_do_nothing(user, permission):
    assert not can(user, permission)
    assert program_scope(user) == set()
    assert not within_scope(user, [])


def test_within_scope(world):
    passport, citizenship = world.passport.id, world.citizenship.id
    assert within_scope(world.admin, None) and within_scope(world.admin, [citizenship])
    assert within_scope(world.analyst_in, [passport])
    assert not within_scope(world.analyst_in, [passport, citizenship])
    assert not within_scope(world.analyst_in, None)  # None: every program, an admin's data
    # About no program (asked for by someone without programs): an administrator's only.
    assert not within_scope(world.analyst_in, []) and within_scope(world.admin, [])


def test_requires_records_the_permission_and_keeps_the_view_name():
    @requires(P.MANAGE_RULES)
    def edit_rule() -> str:
        """Edit a rule."""
        return "ok"

    assert edit_rule.required_permission is P.MANAGE_RULES
    assert edit_rule.__name__ == "edit_rule" and edit_rule.__doc__ == "Edit a rule."
