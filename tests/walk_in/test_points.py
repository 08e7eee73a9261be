"""The managers' pages: points made, listed and deactivated (audited), within the program
scope; the printable poster in both languages with the QR code of the link."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode.qr import QrCodeWidget
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.walk_in import poster, services
from feedback.walk_in.models import WalkInPoint
from tests.governance.conftest import client_as
from tests.walk_in.helpers import walk_in_point, walk_in_rule


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def _form(data: dict[str, str], page: str) -> dict[str, str]:
    return {"csrf_token": _csrf(page), **data}


NEW = {
    "program": "passport",
    "office_code": "ottawa-downtown",
    "name_en": "Ottawa downtown passport office",
    "name_fr": "Bureau des passeports du centre-ville d’Ottawa",
    "contact_type": "walk_in",
}


def test_a_manager_adds_a_point_and_it_is_audited(app, world):
    client = client_as(app, world.manager)
    page = client.get("/walk-in/new")
    assert page.status_code == 200
    assert 'value="citizenship"' not in page.text  # outside the manager's programs
    response = client.post("/walk-in/new", data=_form(NEW, page.text))
    assert response.status_code == 303
    point = db.session.scalar(select(WalkInPoint))
    assert response.headers["Location"] == f"/walk-in/{point.id}"
    assert len(point.token) == services.TOKEN_LENGTH
    assert set(point.token) <= set(services.TOKEN_ALPHABET)
    shown = client.get(f"/walk-in/{point.id}")
    assert f"http://survey.test/w/{point.token}" in shown.text
    assert "No unusual activity" in shown.text
    (event,) = db.session.scalars(select(AuditEvent).filter_by(object_type="walk_in_point"))
    assert (event.action, event.actor, event.program_id) == (
        "walk_in_point.create",
        world.manager.email,
        world.passport.id,
    )
    assert event.after["office_code"] == "ottawa-downtown"
    listed = client.get("/walk-in")
    assert "Ottawa downtown passport office" in listed.text


def test_the_form_says_what_is_wrong_beside_each_field(app, world):
    walk_in_point(world.passport)
    client = client_as(app, world.manager)
    page = client.get("/walk-in/new?lang=fr")
    data = {**NEW, "name_fr": "", "contact_type": "Walk In"}
    response = client.post("/walk-in/new?lang=fr", data=_form(data, page.text))
    assert response.status_code == 400
    html = response.text
    assert 'href="#name_fr"' in html and 'aria-describedby="name_fr-hint name_fr-error"' in html
    # The service's checks run once the form's own pass.
    data = {**NEW, "contact_type": "Walk In"}
    response = client.post("/walk-in/new?lang=en", data=_form(data, page.text))
    assert response.status_code == 400
    assert "This office already has an active walk-in point." in response.text
    assert "Enter a contact type of lower-case letters" in response.text
    assert len(services.list_points(None)) == 1


def test_deactivating_a_point_stops_its_link_and_is_audited(app, world):
    point = walk_in_point(world.passport)
    client = client_as(app, world.manager)
    page = client.get(f"/walk-in/{point.id}/deactivate")
    assert page.status_code == 200
    response = client.post(f"/walk-in/{point.id}/deactivate", data={"csrf_token": _csrf(page.text)})
    assert response.status_code == 303
    db.session.refresh(point)
    assert point.active is False and point.deactivated_at is not None
    actions = list(
        db.session.scalars(
            select(AuditEvent.action).filter_by(object_type="walk_in_point").order_by(AuditEvent.id)
        )
    )
    assert actions == ["walk_in_point.create", "walk_in_point.deactivate"]
    assert client.get(f"/walk-in/{point.id}/poster.pdf").status_code == 404
    # Another point for the same office may now be made.
    assert walk_in_point(world.passport).token != point.token


def test_points_of_other_programs_are_not_found(app, world):
    mine = walk_in_point(world.passport)
    theirs = walk_in_point(world.citizenship, "montreal")
    client = client_as(app, world.manager)
    assert "montreal" not in client.get("/walk-in").text
    for path in ("", "/poster.pdf", "/deactivate"):
        assert client.get(f"/walk-in/{theirs.id}{path}").status_code == 404
        assert client_as(app, world.admin).get(f"/walk-in/{theirs.id}{path}").status_code == 200
    assert client.get(f"/walk-in/{mine.id}").status_code == 200
    assert client_as(app, world.analyst_in).get(f"/walk-in/{mine.id}").status_code == 403


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_the_poster_is_bilingual_with_the_link_written_out(app, world):
    point = walk_in_point(world.passport)
    response = client_as(app, world.manager).get(f"/walk-in/{point.id}/poster.pdf?lang=fr")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="walk-in-ottawa-downtown.pdf"'
    )
    text = _pdf_text(response.data)
    for expected in (
        "Ottawa downtown passport office",
        "Bureau des passeports du centre-ville d’Ottawa",
        "Tell us about your visit",
        "Parlez-nous de votre visite",
        "Scan the code with your phone's camera",
        "Balayez le code avec l’appareil photo",
        f"http://survey.test/w/{point.token}",
        "Passport services / Services de passeport",
    ):
        assert expected in text, (expected, text)


def test_the_qr_code_holds_the_link(app, world, monkeypatch):
    """No QR decoder is installed (and none is worth a dependency): the code drawn is checked
    to be the one of the link, and to be drawn (its dark modules are the page's rectangles)."""
    point = walk_in_point(world.passport)
    drawn: list[str] = []
    original = QrCodeWidget.__init__

    def spy(self, value="Hello World", *args, **kwargs):
        drawn.append(value)
        original(self, value, *args, **kwargs)

    monkeypatch.setattr(QrCodeWidget, "__init__", spy)
    with app.test_request_context():
        pdf = poster.poster_pdf(point)
    assert drawn == [services.link(point)]
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data().decode("latin-1")
    assert content.count(" re") > 100  # runs of dark modules, drawn as filled rectangles


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_staff_pages_answer_in_both_languages(app, world, lang):
    point = walk_in_point(world.passport)
    client = client_as(app, world.manager)
    for path in (
        "/walk-in",
        "/walk-in/new",
        f"/walk-in/{point.id}",
        f"/walk-in/{point.id}/deactivate",
    ):
        page = client.get(f"{path}?lang={lang}")
        assert page.status_code == 200
        assert f'<html lang="{lang}">' in page.text


def test_the_point_page_says_what_a_visit_gets_and_why(app, world):
    point = walk_in_point(world.passport)
    client = client_as(app, world.manager)
    page = client.get(f"/walk-in/{point.id}?lang=en")
    assert "Visits get no survey now" in page.text  # the world's rule sends email
    walk_in_rule(world.passport, world.version)
    page = client.get(f"/walk-in/{point.id}?lang=en")
    assert "Each visit starts a survey." in page.text
    assert "Visits get no survey now" not in page.text
