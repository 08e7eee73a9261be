"""The survey link's token leaves the address bar: exchanged for the session, then /s/."""

from __future__ import annotations

import time

from flask import g

from feedback.surveys.session import SESSION_KEY
from tests.factories import make_sent_invitation
from tests.surveys.helpers import FULL_ANSWERS, TOKEN, csrf_token, live_invitation

URL = f"/s/{TOKEN}"


def test_the_link_redirects_to_a_token_less_form(client, db):
    live_invitation()
    first = client.get(URL + "?lang=fr")
    assert first.status_code == 303
    assert first.headers["Location"] == "/s/?lang=fr"
    assert first.headers["Cache-Control"] == "no-store"
    assert first.headers["Referrer-Policy"] == "no-referrer"
    assert TOKEN not in first.headers["Set-Cookie"]  # the session holds the invitation id
    page = client.get(first.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and TOKEN not in html
    assert 'action="/s/?lang=fr"' in html


def test_another_browser_with_the_same_link_until_answered(app, db):
    live_invitation()
    phone, laptop = app.test_client(), app.test_client()
    assert phone.get(URL, follow_redirects=True).status_code == 200
    g.pop("csrf_token", None)  # the test's requests share one app context, and Flask-WTF's cache
    laptop_form = laptop.get(URL, follow_redirects=True).get_data(as_text=True)
    answered = laptop.post("/s/", data={"csrf_token": csrf_token(laptop_form), **FULL_ANSWERS})
    assert answered.status_code == 303
    again = phone.get(URL, follow_redirects=True).get_data(as_text=True)
    assert "You have already answered this survey" in again


def test_without_the_session_the_page_says_to_open_the_link_again(client, db):
    live_invitation()
    page = client.get("/s/")
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert "Your session has ended" in html
    assert "open the link in the message we sent you again" in html


def test_an_ended_session_says_what_to_do(client, db, app):
    live_invitation()
    html = client.get(URL, follow_redirects=True).get_data(as_text=True)
    with client.session_transaction() as session:
        hours = app.config["SURVEY_SESSION_HOURS"]
        session[SESSION_KEY] = [[i, t - hours * 3600 - 1] for i, t in session[SESSION_KEY]]
    page = client.post("/s/", data={"csrf_token": csrf_token(html), **FULL_ANSWERS})
    assert page.status_code == 403
    assert "Your session has ended" in page.get_data(as_text=True)


def test_two_links_in_two_tabs_each_post_their_own_answers(client, db):
    version, first = live_invitation()
    other_token = "other-token-0123456789abcdefghijklmnopqrstuvwxyz"
    second = make_sent_invitation(version, other_token, n=2)
    first_form = client.get(URL, follow_redirects=True).get_data(as_text=True)
    assert f'name="invitation" value="{first.id}"' in first_form
    client.get(f"/s/{other_token}", follow_redirects=True)  # opened last
    client.post(
        "/s/", data={"csrf_token": csrf_token(first_form), **FULL_ANSWERS, "invitation": first.id}
    )
    db.session.expire_all()
    assert first.status.value == "completed"
    assert second.status.value == "opened"


def test_session_entries_are_bounded(client, db):
    live_invitation()
    with client.session_transaction() as session:
        session[SESSION_KEY] = [[f"id-{n}", int(time.time())] for n in range(10)]
    client.get(URL)
    with client.session_transaction() as session:
        assert len(session[SESSION_KEY]) == 5
