"""The development outbox in the browser: /dev/outbox lists what the SMTP sink received,
/dev/sms the text messages SMS channels kept instead of sending (see feedback.sms.outbox).

create_app() registers this blueprint only when OUTBOX_DIR is set outside production; the
request-time guard below refuses again, should the configuration change after start-up.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, render_template

from feedback.config import is_local
from feedback.devtools.outbox import get_message, list_messages, with_links_in_new_tab
from feedback.sms.outbox import threads

bp = Blueprint("devtools", __name__, url_prefix="/dev")


def _outbox_dir() -> Path:
    return Path(current_app.config["OUTBOX_DIR"])


@bp.before_request
def _development_only() -> None:
    if not is_local(current_app.config["FEEDBACK_ENV"]) or not current_app.config.get("OUTBOX_DIR"):
        abort(404)


@bp.get("/outbox")
def outbox() -> str:
    return render_template("devtools/outbox.html", messages=list_messages(_outbox_dir()))


@bp.get("/outbox.json")
def outbox_json() -> Response:
    return jsonify(
        {
            "messages": [
                {
                    "name": item.name,
                    "subject": item.subject,
                    "to": item.to,
                    "date": item.date.isoformat() if item.date else None,
                    "links": item.links,
                }
                for item in list_messages(_outbox_dir())
            ]
        }
    )


@bp.get("/outbox/<name>")
def message(name: str) -> str:
    item = get_message(_outbox_dir(), name)
    if item is None:
        abort(404)
    html = item.html
    return render_template(
        "devtools/message.html",
        item=item,
        html_srcdoc=with_links_in_new_tab(html) if html else "",
    )


@bp.get("/sms")
def sms() -> str:
    """Each number's texts as its phone would show them, with their segment counts."""
    return render_template("devtools/sms.html", threads=threads(_outbox_dir()))


@bp.get("/sms.json")
def sms_json() -> Response:
    return jsonify(
        {
            "threads": [
                {
                    "number": thread.number,
                    "texts": [
                        {
                            "name": text.name,
                            "direction": text.direction,
                            "channel": text.channel,
                            "at": text.at.isoformat(),
                            "body": text.body,
                            "segments": text.count.segments,
                            "encoding": text.count.encoding.value,
                            "characters": text.count.characters,
                        }
                        for text in thread.texts
                    ],
                }
                for thread in threads(_outbox_dir())
            ]
        }
    )
