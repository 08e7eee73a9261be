"""The administrators' page for a client's request to stop the surveys."""

from __future__ import annotations

import re

from feedback.consent.models import OptOut
from feedback.contacts.services import ingest
from feedback.invitations.models import InvitationStatus
from tests.factories import event_payload
from tests.governance.conftest import client_as


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_an_administrator_records_a_request_and_the_pending_survey_stops(app, world):
    [result] = ingest([event_payload(1)])  # client-1, scheduled by email
    pending = result.event.invitation
    client = client_as(app, world.admin)
    page = client.get("/admin/opt-outs")
    assert page.status_code == 200 and 'for="reference"' in page.get_data(as_text=True)
    answer = client.post(
        "/admin/opt-outs",
        data={"csrf_token": _csrf(page.get_data(as_text=True)), "reference": " client-1 "},
        follow_redirects=True,
    )
    assert "Pending surveys stopped: 1." in answer.get_data(as_text=True)
    [opt_out] = OptOut.query.all()
    assert (opt_out.channel, opt_out.client_hash) == ("all", pending.client_hash)
    assert OptOut.query.filter(OptOut.client_hash.like("%client-1%")).count() == 0
    world_db = OptOut.query.session
    world_db.refresh(pending)
    assert pending.status is InvitationStatus.OPTED_OUT


def test_a_missing_reference_is_refused_with_its_error_tied_to_the_field(app, world):
    client = client_as(app, world.admin)
    page = client.get("/admin/opt-outs?lang=fr")
    refused = client.post(
        "/admin/opt-outs?lang=fr",
        data={"csrf_token": _csrf(page.get_data(as_text=True)), "reference": "  "},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Entrez la référence du client." in html and 'aria-describedby="reference' in html
    assert OptOut.query.count() == 0


def test_only_administrators_see_the_page_and_its_link(app, world):
    assert client_as(app, world.analyst_in).get("/admin/opt-outs").status_code == 403
    assert client_as(app, world.manager).get("/admin/opt-outs").status_code == 403
    dashboard = client_as(app, world.admin).get("/dashboard").get_data(as_text=True)
    assert "/admin/opt-outs" in dashboard
    assert "/admin/opt-outs" not in client_as(app, world.analyst_in).get("/dashboard").text
