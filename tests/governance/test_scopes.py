"""What a scoped user sees: the figures, the recent reports and the reports of their programs."""

from __future__ import annotations

from datetime import date, timedelta

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.reporting import compose, services
from feedback.reporting.facts import build
from tests.factories import make_questionnaire
from tests.governance.conftest import PASSWORD, client_as, new_client
from tests.reporting.helpers import add_contact, csrf_token, rating

NO_PROGRAMS = "You have no programs yet."


def add_figures(world) -> None:
    """Yesterday: 20 answered invitations of passport's, 30 of citizenship's, in the facts."""
    yesterday = utcnow() - timedelta(days=1)
    citizenship = make_questionnaire(world.citizenship)
    for version, count in ((world.version, 20), (citizenship, 30)):
        for n in range(count):
            add_contact(
                version,
                sent_at=yesterday,
                completed_at=yesterday + timedelta(minutes=5),
                answers={"overall": rating(1 + n % 5)},
            )
    db.session.commit()
    build.refresh(yesterday.date(), yesterday.date())
    db.session.commit()


def sign_in(app, email):
    """A client signed in through the sign-in form, as a person would."""
    client = new_client(app)
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_a_scoped_analyst_sees_only_their_programs_on_the_dashboard(app, world):
    add_figures(world)
    html = sign_in(app, world.analyst_in.email).get("/dashboard").text
    assert "Passport services" in html
    assert "Citizenship" not in html and "Citoyenneté" not in html
    assert NO_PROGRAMS not in html

    html = client_as(app, world.analyst_out).get("/dashboard?lang=fr").text
    assert "Citoyenneté" in html and "Services de passeport" not in html


def test_an_admin_sees_every_program(app, world):
    add_figures(world)
    html = client_as(app, world.admin).get("/dashboard").text
    assert "Passport services" in html and "Citizenship" in html


def test_a_user_without_programs_sees_an_empty_dashboard_and_whom_to_ask(app, world):
    add_figures(world)
    html = client_as(app, world.analyst_none).get("/dashboard").text
    assert NO_PROGRAMS in html and "Ask an administrator" in html
    assert "Passport services" not in html and "Citizenship" not in html
    html = client_as(app, world.analyst_none).get("/dashboard?lang=fr").text
    assert "encore aucun programme" in html and "Demandez à un administrateur" in html


def test_a_request_records_the_requesters_scope(world):
    analyst = services.request_report(date(2026, 1, 1), date(2026, 1, 31), world.analyst_in)
    admin = services.request_report(date(2026, 1, 1), date(2026, 1, 31), world.admin)
    nobody = services.request_report(date(2026, 1, 1), date(2026, 1, 31), world.analyst_none)
    assert analyst.params["programs"] == [world.passport.id]
    assert "programs" not in admin.params
    assert nobody.params["programs"] == []


def test_the_report_is_generated_for_the_recorded_scope(world, monkeypatch):
    seen: list[frozenset[str] | None] = []
    real_build = compose.build

    def spy(options, language, **kwargs):
        seen.append(options.programs)
        return real_build(options, language, **kwargs)

    monkeypatch.setattr(compose, "build", spy)
    for user in (world.analyst_out, world.admin):
        report = services.request_report(date(2026, 1, 1), date(2026, 1, 31), user)
        db.session.commit()
        services.generate(report.id)
    # One document per language.
    assert seen == [{world.citizenship.id}, {world.citizenship.id}, None, None]


def test_reports_are_listed_and_shown_within_scope_only(app, world):
    theirs = services.request_report(date(2026, 1, 1), date(2026, 1, 31), world.analyst_out)
    colleague = services.request_report(date(2026, 2, 1), date(2026, 2, 28), world.colleague)
    db.session.commit()

    html = client_as(app, world.analyst_in).get("/dashboard").text
    assert f"/reports/{colleague.id}" in html and f"/reports/{theirs.id}" not in html
    assert client_as(app, world.analyst_in).get(f"/reports/{theirs.id}").status_code == 404

    # The requester keeps their report even once the program is no longer theirs.
    world.analyst_out.programs = [world.passport]
    db.session.commit()
    requester = client_as(app, world.analyst_out)
    assert requester.get(f"/reports/{theirs.id}").status_code == 200
    assert f"/reports/{theirs.id}" in requester.get("/dashboard").text

    html = client_as(app, world.admin).get("/dashboard").text
    assert f"/reports/{colleague.id}" in html and f"/reports/{theirs.id}" in html
