"""The administrators' page for a client's request to stop the surveys (received by phone,
letter or email): a few lines around :func:`feedback.consent.opt_outs.opt_out_client`."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from feedback.channels.registry import enabled_channels
from feedback.consent.opt_outs import opt_out_client
from feedback.extensions import db
from feedback.governance.permissions import Permission, requires
from feedback.security import client_hash

bp = Blueprint("consent", __name__, url_prefix="/admin")
EVERY_CHANNEL = ""


class OptOutRequestForm(FlaskForm):
    reference = StringField(
        _l("Client reference"),
        validators=[
            DataRequired(_l("Enter the client's reference.")),
            Length(max=200, message=_l("The reference must be 200 characters or fewer.")),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    channel = SelectField(_l("Surveys to stop"), default=EVERY_CHANNEL)


@bp.route("/opt-outs", methods=["GET", "POST"])
@requires(Permission.RECORD_OPT_OUTS)
def opt_outs() -> ResponseReturnValue:
    form = OptOutRequestForm()
    form.channel.choices = [(EVERY_CHANNEL, _("Every channel"))] + [
        (name, name) for name in sorted(enabled_channels())
    ]
    if form.validate_on_submit():
        stopped = opt_out_client(
            client_hash(form.reference.data), "admin", form.channel.data or None
        )
        db.session.commit()
        flash(
            _(
                "Recorded: no more surveys for this client. Pending surveys stopped: %(count)s.",
                count=stopped,
            ),
            "info",
        )
        return redirect(url_for(".opt_outs"), 303)
    status = 400 if form.errors else 200
    return render_template("consent/opt_outs.html", form=form), status
