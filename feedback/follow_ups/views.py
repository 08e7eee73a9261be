"""The follow-up pages: the list (filtered), an item (its changes and notes), and the settings
of each rule (when a response opens a follow-up). A few lines around :mod:`.services` each.

Everything is scoped to the user's programs: an item or a rule of another program answers 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from feedback.accounts.models import User
from feedback.distribution.models import DistributionRule
from feedback.extensions import db
from feedback.follow_ups import services
from feedback.follow_ups.forms import STATUS_LABELS, FilterForm, ItemForm, NoteForm, PolicyForm
from feedback.follow_ups.models import FollowUp, FollowUpStatus
from feedback.follow_ups.services import FollowUpError, PolicySpec
from feedback.governance.permissions import Permission, can, program_scope, requires
from feedback.i18n import current_locale
from feedback.programs.models import Program

bp = Blueprint("follow_ups", __name__, url_prefix="/follow-ups")
PER_PAGE = 50
#: Far beyond any list, and within what an OFFSET can hold.
MAX_PAGE = 10_000
#: The filter form's fields: the only arguments the page's own links carry on.
FILTERS = ("status", "owner", "program", "overdue")


def _in_scope(program_id: str) -> None:
    if not can(current_user, Permission.MANAGE_FOLLOW_UPS, program_id):
        abort(404)


def _item(item_id: str) -> FollowUp:
    item = db.session.get(FollowUp, item_id)
    if item is None:
        abort(404)
    _in_scope(item.program_id)
    return item


def _rule(rule_id: str) -> DistributionRule:
    rule = db.session.get(DistributionRule, rule_id)
    if rule is None:
        abort(404)
    _in_scope(rule.program_id)
    return rule


def _programs() -> list[Program]:
    scope = program_scope(current_user)
    query = select(Program).order_by(Program.code)
    if scope is not None:
        query = query.where(Program.id.in_(scope))
    return list(db.session.scalars(query))


def _form_errors(form: object, error: FollowUpError) -> None:
    """Show a service's errors beside the fields they name."""
    for name, message in error.errors.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]


@bp.get("")
@requires(Permission.MANAGE_FOLLOW_UPS)
def index() -> ResponseReturnValue:
    scope = program_scope(current_user)
    language = current_locale()
    form = FilterForm(_programs(), services.owners_in_scope(scope), language)
    form.clean()
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    items, has_next = services.list_items(scope, form.wanted(), page, PER_PAGE)
    filters = {name: request.args[name] for name in FILTERS if name in request.args}
    return render_template(
        "follow_ups/index.html",
        form=form,
        items=items,
        page=page,
        has_next=has_next,
        filters=filters,
        status_labels=STATUS_LABELS,
        is_overdue=services.is_overdue,
        language=language,
    )


def _item_page(item: FollowUp, form: ItemForm, note_form: NoteForm, status: int = 200):
    language = current_locale()
    return render_template(
        "follow_ups/item.html",
        item=item,
        form=form,
        note_form=note_form,
        status_labels=STATUS_LABELS,
        overdue=services.is_overdue(item),
        question=services.question_text(item, language),
        language=language,
    ), status


def _item_form(item: FollowUp) -> ItemForm:
    data = {"status": item.status.value, "owner": item.owner_id or "", "due_on": item.due_on}
    return ItemForm(services.possible_owners(item.program_id), data=data)


@bp.route("/<item_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_FOLLOW_UPS)
def item(item_id: str) -> ResponseReturnValue:
    follow_up = _item(item_id)
    if request.method == "POST":
        form = ItemForm(services.possible_owners(follow_up.program_id))
    else:
        form = _item_form(follow_up)
    if form.validate_on_submit():
        owner = db.session.get(User, form.owner.data) if form.owner.data else None
        status = FollowUpStatus(form.status.data)
        try:
            services.update_item(follow_up, status, owner, form.due_on.data)
        except FollowUpError as exc:
            _form_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Saved the follow-up."), "info")
            return redirect(url_for(".item", item_id=follow_up.id), 303)
    return _item_page(follow_up, form, NoteForm(), 400 if form.errors else 200)


@bp.post("/<item_id>/notes")
@requires(Permission.MANAGE_FOLLOW_UPS)
def add_note(item_id: str) -> ResponseReturnValue:
    follow_up = _item(item_id)
    note_form = NoteForm()
    if note_form.validate_on_submit():
        try:
            services.add_note(follow_up, note_form.text.data, current_user)
        except FollowUpError as exc:
            _form_errors(note_form, exc)
        else:
            db.session.commit()
            flash(_("Added the note."), "info")
            return redirect(url_for(".item", item_id=follow_up.id) + "#notes", 303)
    return _item_page(follow_up, _item_form(follow_up), note_form, 400)


@bp.get("/settings")
@requires(Permission.MANAGE_FOLLOW_UPS)
def settings() -> ResponseReturnValue:
    rules = services.rules_in_scope(program_scope(current_user))
    return render_template(
        "follow_ups/settings.html",
        rules=rules,
        version_of=services.rule_version,
        language=current_locale(),
    )


@bp.route("/settings/<rule_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_FOLLOW_UPS)
def policy(rule_id: str) -> ResponseReturnValue:
    rule = _rule(rule_id)
    version = services.rule_version(rule)
    language = current_locale()
    current = services.policy_of(rule)
    scored, consent = services.scored_questions(version), services.consent_questions(version)
    form = PolicyForm(scored, consent, language, obj=current)
    if form.validate_on_submit():
        spec = PolicySpec(
            score_question=form.score_question.data,
            threshold=form.threshold.data,
            consent_question=form.consent_question.data,
            due_days=form.due_days.data,
            enabled=form.enabled.data,
        )
        try:
            services.save_policy(rule, spec)
        except FollowUpError as exc:
            _form_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Saved the follow-up settings of this rule."), "info")
            return redirect(url_for(".settings"), 303)
    return render_template(
        "follow_ups/policy.html",
        form=form,
        rule=rule,
        version=version,
        can_follow_up=bool(scored and consent),
        language=language,
    ), 400 if form.errors else 200
