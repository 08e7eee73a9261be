"""Permissions: one table from role to permissions, one check, one view decorator.

Every staff view says what it needs with `@requires(Permission.X)` instead of testing roles
itself, so that the answer to "who may do this?" is read from ROLE_PERMISSIONS alone and a test
can list the permission of every route. Roles are scoped to programs: an administrator works on
every program; a program manager or an analyst only on the programs in `user.programs`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection
from functools import wraps
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from flask import abort
from flask_login import current_user

from feedback.accounts.models import Role
from feedback.extensions import login_manager

if TYPE_CHECKING:
    from collections.abc import Mapping

    from flask_login import AnonymousUserMixin

    from feedback.accounts.models import User

P = ParamSpec("P")
R = TypeVar("R")


class Permission(enum.StrEnum):
    VIEW_REPORTS = "view_reports"  # the dashboard, report status pages and PDFs
    REQUEST_REPORTS = "request_reports"  # ask for a PDF report (work for the worker)
    MANAGE_QUESTIONNAIRES = "manage_questionnaires"  # draft, edit and publish questionnaires
    MANAGE_PROGRAMS = "manage_programs"  # create programs (administrators only)
    EDIT_PROGRAMS = "edit_programs"  # a program's names, time zone and contact types
    MANAGE_RULES = "manage_rules"  # distribution rules: who is invited, when, how
    MANAGE_USERS = "manage_users"  # staff accounts, their roles and programs
    MANAGE_API_KEYS = "manage_api_keys"  # keys of the systems that send contact events
    RECORD_OPT_OUTS = "record_opt_outs"  # a client's request to stop the surveys
    VIEW_AUDIT_LOG = "view_audit_log"  # who changed what, when; its CSV export
    MANAGE_FOLLOW_UPS = "manage_follow_ups"  # follow-ups with clients, and when they open
    MANAGE_ACTIONS = "manage_actions"  # "you said, we did": actions taken against irritants
    EXPORT_RESPONSES = "export_responses"  # de-identified response-level data (analysts)


#: The only place that says what a role may do. Read-only: a change is a code change, reviewed.
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = MappingProxyType(
    {
        Role.ADMIN: frozenset(Permission),
        Role.PROGRAM_MANAGER: frozenset(
            {
                Permission.VIEW_REPORTS,
                Permission.MANAGE_QUESTIONNAIRES,
                Permission.EDIT_PROGRAMS,
                Permission.MANAGE_RULES,
                Permission.MANAGE_FOLLOW_UPS,
                Permission.MANAGE_ACTIONS,
            }
        ),
        Role.ANALYST: frozenset(
            {Permission.VIEW_REPORTS, Permission.REQUEST_REPORTS, Permission.EXPORT_RESPONSES}
        ),
    }
)


def _signed_in(user: User | AnonymousUserMixin | None) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def can(
    user: User | AnonymousUserMixin | None,
    permission: Permission,
    program_id: str | None = None,
) -> bool:
    """Whether `user` may do `permission`, on the program `program_id` when one is named.

    Anonymous users may do nothing; an administrator may do everything on every program; anyone
    else needs the permission in their role's row and, for a named program, that program among
    their own. An unknown role gets no permission rather than an error.
    """
    if not _signed_in(user):
        return False
    if user.role is Role.ADMIN:
        return True
    if permission not in ROLE_PERMISSIONS.get(user.role, frozenset()):
        return False
    return program_id is None or program_id in {program.id for program in user.programs}


def program_scope(user: User | AnonymousUserMixin | None) -> set[str] | None:
    """Ids of the programs whose data `user` may see: None means every program (administrators).

    The result is what queries filter on (`program_id IN scope`); an empty set means nothing,
    so an anonymous user or one without programs yet sees empty pages, never everyone's data.
    """
    if not _signed_in(user):
        return set()
    if user.role is Role.ADMIN:
        return None
    return {program.id for program in user.programs}


def within_scope(
    user: User | AnonymousUserMixin | None, program_ids: Collection[str] | None
) -> bool:
    """Whether data about `program_ids` (None: every program) lies inside the user's scope.

    Data about no program at all (a report asked for by someone without programs) is inside
    nobody's scope but an administrator's: it is not shared by accident.
    """
    if not _signed_in(user):
        return False
    scope = program_scope(user)
    return scope is None or (bool(program_ids) and set(program_ids or ()) <= scope)


def requires(permission: Permission) -> Callable[[Callable[P, R]], Callable[P, Any]]:
    """Decorate a view so that only signed-in users holding `permission` reach it.

    Anonymous users are sent to the sign-in page as `login_required` would (with `next`);
    a signed-in user without the permission gets the friendly 403 page. The permission is
    recorded on the view as `required_permission`, so that a test walking the URL map can find
    any staff route that forgot to say what it needs. Program scoping is the view's business:
    it knows which object the request is about (see `can(..., program_id)` and `program_scope`).
    """

    def decorate(view: Callable[P, R]) -> Callable[P, Any]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]
        return guarded

    return decorate
