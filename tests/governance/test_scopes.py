"""What a scoped user sees: the figures, the recent reports and the reports of their programs."""

from __future__ import annotations

from datetime import date

from feedback.db_types import utcnow
from feedback.extensions import db
from feedback.reporting import services, stats
from tests.governance.conftest import PASSWORD, client_as, new_client
from tests.reporting.helpers import add_invitation_fact, csrf_token

NO_PROGRAMS = "You have no programs yet."


def add_figures(world) -> None:
    today = utcnow().date()
    add_invitation_fact(world.passport, today, sent=200, completed=50)
    add_invitation_fact(world.citizenship, today, sent=300, completed=90)
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
    assert "Passport services – Email" in html
    assert "Citizenship" not in html and "Citoyenneté" not in html
    assert "<td>300</td>" not in html and "<td>500</td>" not in html  # nor in the total
    assert NO_PROGRAMS not in html

    html = client_as(app, world.analyst_out).get("/dashboard?lang=fr").text
    assert "Citoyenneté" in html and "Services de passeport" not in html


def test_an_admin_sees_every_program(app, world):
    add_figures(world)
    html = client_as(app, world.admin).get("/dashboard").text
    assert "Passport services – Email" in html and "Citizenship – Email" in html
    assert "<td>500</td>" in html  # the total of both


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
    seen: list[set[str] | None] = []
    real_summary = stats.summary

    def spy(*args, **kwargs):
        seen.append(kwargs.get("programs"))
        return real_summary(*args, **kwargs)

    monkeypatch.setattr(services.stats, "summary", spy)
    for user in (world.analyst_out, world.admin):
        report = services.request_report(date(2026, 1, 1), date(2026, 1, 31), user)
        db.session.commit()
        services.generate(report.id)
    assert seen == [{world.citizenship.id}, None]


def test_summary_filters_every_figure_by_program(world):
    add_figures(world)
    today = utcnow().date()
    everything = stats.summary(today, today, min_cell=1)
    passport = stats.summary(today, today, min_cell=1, programs={world.passport.id})
    nothing = stats.summary(today, today, min_cell=1, programs=set())
    assert everything.overall.sent.value == 500
    assert [row.program_code for row in passport.rows] == ["passport"]
    assert passport.overall.sent.value == 200
    assert nothing.rows == [] and nothing.overall.sent.value == 0


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
