"""The program pages: administrators create programs; managers change the names, time zone and
contact types of their own programs (audited); other programs answer 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEvent
from feedback.extensions import db
from feedback.programs.models import Program
from tests.governance.conftest import (
    client_as,
    world,  # noqa: F401  (fixture)
)


@pytest.fixture(autouse=True)
def _no_csrf(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


def _program_data(**overrides: str) -> dict[str, str]:
    data = {
        "name_en": "Passport services",
        "name_fr": "Services de passeport",
        "timezone": "America/Halifax",
        "contact_types-0-code": "call",
        "contact_types-0-en": "Call centre call",
        "contact_types-0-fr": "Appel au centre d'appels",
        "contact_types-1-code": "",
        "contact_types-1-en": "",
        "contact_types-1-fr": "",
    }
    return data | overrides


def test_a_manager_edits_the_contact_types_of_their_program(app, world):  # noqa: F811
    client = client_as(app, world.manager)
    listing = client.get("/programs")
    assert listing.status_code == 200 and "Passport services" in listing.text
    assert "Citizenship" not in listing.text and "Add a program" not in listing.text
    url = f"/programs/{world.passport.id}"
    assert 'id="contact_types-1-code"' in client.get(url).text
    response = client.post(url, data=_program_data())
    assert response.status_code == 303
    db.session.expire_all()
    program = db.session.get(Program, world.passport.id)
    assert program.timezone == "America/Halifax"
    assert program.contact_types == [
        {"code": "call", "en": "Call centre call", "fr": "Appel au centre d'appels"}
    ]
    assert program.contact_type_label("call", "fr") == "Appel au centre d'appels"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "program.edit"))
    assert event.after["timezone"] == "America/Halifax" and len(event.before["contact_types"]) == 3
    # Clearing a row removes its contact type.
    cleared = _program_data(
        **{"contact_types-0-code": "", "contact_types-0-en": "", "contact_types-0-fr": ""}
    )
    assert client.post(url, data=cleared).status_code == 303
    db.session.expire_all()
    assert db.session.get(Program, world.passport.id).contact_types == []


def test_problems_are_listed_and_tied_to_their_fields(app, world):  # noqa: F811
    client = client_as(app, world.manager)
    response = client.post(
        f"/programs/{world.passport.id}",
        data=_program_data(
            **{
                "name_fr": "",
                "contact_types-0-fr": "",
                "contact_types-1-code": "Call!",
                "contact_types-1-en": "x",
                "contact_types-1-fr": "x",
            }
        ),
    )
    assert response.status_code == 400
    for anchor in ("#name_fr", "#contact_types-0-fr", "#contact_types-1-code"):
        assert f'href="{anchor}"' in response.text
    assert 'aria-describedby="name_fr-error"' in response.text


def test_only_administrators_create_programs(app, world):  # noqa: F811
    assert client_as(app, world.manager).get("/programs/new").status_code == 403
    admin = client_as(app, world.admin)
    data = _program_data(code="citizenship")
    assert admin.post("/programs/new", data=data).status_code == 400  # taken
    response = admin.post("/programs/new", data=_program_data(code="visas"))
    assert response.status_code == 303
    program = db.session.scalar(select(Program).where(Program.code == "visas"))
    assert response.headers["Location"] == f"/programs/{program.id}"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "program.create"))


def test_a_program_outside_the_scope_answers_404(app, world):  # noqa: F811
    client = client_as(app, world.manager)
    url = f"/programs/{world.citizenship.id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data=_program_data()).status_code == 404


def test_a_manager_sets_the_reportable_attributes_audited(app, world):  # noqa: F811
    client = client_as(app, world.manager)
    url = f"/programs/{world.passport.id}"
    assert 'id="reportable_attributes"' in client.get(url).text
    data = _program_data(reportable_attributes="region, age_band region")
    assert client.post(url, data=data).status_code == 303
    db.session.expire_all()
    assert db.session.get(Program, world.passport.id).reportable_attributes == [
        "age_band",
        "region",
    ]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "program.edit"))
    assert event.before["reportable_attributes"] == []
    assert event.after["reportable_attributes"] == ["age_band", "region"]
    assert 'value="age_band, region"' in client.get(url).text

    for wrong in ("Region", "a,b,c,d,e,f", "x" * 41):
        response = client.post(url, data=_program_data(reportable_attributes=wrong))
        assert response.status_code == 400
        assert 'href="#reportable_attributes"' in response.text
    french = client.post(
        url,
        data=_program_data(reportable_attributes="a,b,c,d,e,f"),
        headers={"Accept-Language": "fr"},
    )
    assert "au plus 5 attributs" in french.text
