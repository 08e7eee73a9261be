"""The whole path with a real Celery worker process (and beat): contact posted → email received by
a local SMTP server → link answered in the web form → report counts the answer."""

from __future__ import annotations

import re
import time
from email import message_from_bytes, policy

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from feedback.extensions import db as _db
from feedback.invitations.models import Invitation, InvitationStatus
from feedback.reporting.models import FactAnswerDaily, Report, ReportStatus
from tests.factories import event_payload, make_api_key, make_setup

pytestmark = pytest.mark.worker


def _wait(predicate, timeout: float = 60, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        _db.session.rollback()  # see the worker's commits
        time.sleep(step)
    raise AssertionError(f"not true within {timeout}s")


def _text_part(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=policy.default)
    return message.get_body(preferencelist=("plain",)).get_content()


def test_contact_to_email_to_answer_to_report(app, client, db, smtp_inbox, celery_worker_process):
    make_setup()
    key = make_api_key()

    posted = client.post(
        "/api/v1/contacts",
        json=event_payload(7, language="fr"),
        headers={"Authorization": f"Bearer {key}"},
    )
    assert posted.status_code == 201, posted.json

    # The worker's beat sweep claims the invitation and the email plugin sends it over SMTP.
    [raw] = smtp_inbox.wait_for(1)
    text = _text_part(raw)
    assert text.index("Comment avons-nous fait?") < text.index("How did we do?")  # French first
    link = re.search(r"http://survey\.test(/s/[\w-]+)", text).group(1)
    invitation_id = posted.json["invitation"]["id"]
    _wait(lambda: _db.session.get(Invitation, invitation_id).status is InvitationStatus.SENT)

    # The client answers in French in the web form; the token leaves the address bar first.
    page = client.get(link, follow_redirects=True)
    assert page.status_code == 200
    assert page.request.path == "/s/"
    html = page.get_data(as_text=True)
    assert "Dans l&#39;ensemble" in html or "Dans l'ensemble" in html
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', html
    )
    answered = client.post(
        "/s/",
        data={
            "csrf_token": csrf.group(1),
            "q_overall": "5",
            "q_recommend": "9",
            "q_resolved": "1",
            "q_how": "phone",
            "q_comment": "Très bon service",
        },
    )
    assert answered.status_code == 303
    assert client.get(link).status_code == 200  # "already answered", kindly
    _db.session.rollback()
    assert _db.session.get(Invitation, invitation_id).status is InvitationStatus.COMPLETED

    # The worker's periodic task counts the answer in the facts (in SQL); a report reads them
    # as they are and writes every file.
    celery_worker_process.send_task("feedback.reporting.tasks.refresh_rollups")

    def counted() -> bool:
        facts = _db.session.scalars(select(FactAnswerDaily)).all()
        return any(f.value_int == 5 and f.count == 1 for f in facts)

    _wait(counted, timeout=60)
    report = Report(params={"date_from": "2026-01-01", "date_to": "2030-12-31"})
    _db.session.add(report)
    _db.session.commit()
    celery_worker_process.send_task("feedback.reporting.tasks.generate_report", report.id)
    _wait(lambda: _db.session.get(Report, report.id).status is ReportStatus.READY, timeout=120)
    from feedback.reporting.services import path_for

    # Words only: a column heading may wrap over two lines.
    pdf_text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(path_for(report, "pdf-fr")).pages
    )
    assert "Rapport sur la perspective des clients" in pdf_text and "Taux de réponse" in pdf_text
    assert "100" in pdf_text  # one answer of 5 out of 5: 100 % satisfied, 1 of 1 responded
