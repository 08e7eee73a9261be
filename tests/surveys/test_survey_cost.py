"""What the survey page costs: SQL statements per request, and the bytes a phone downloads.

Not timings (the machine decides those): the statements each step sends to the database, and
the size of the page with the files it links, for a questionnaire of typical length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event

from feedback.extensions import db as _db
from feedback.questionnaires.library import template
from feedback.questionnaires.transfer import import_document
from feedback.static_assets import MAX_AGE
from tests.factories import make_program, make_rule, make_sent_invitation
from tests.surveys.helpers import FULL_ANSWERS, TOKEN, csrf_token, live_invitation

#: What a client on a slow phone line downloads for the page: its HTML and every file it links.
PAGE_WEIGHT_LIMIT = 50_000


@contextmanager
def _statements() -> Iterator[list[str]]:
    """The SQL statements sent while the block runs, by their first word."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)


def test_statements_per_request(client, db):
    live_invitation()
    with _statements() as link:
        assert client.get(f"/s/{TOKEN}").status_code == 303
    assert link == ["SELECT"]

    with _statements() as first:
        page = client.get("/s/")
    assert page.status_code == 200
    # The invitation with its program, the version with its questions (built once), then the
    # move to opened under a lock (SQLite takes its write lock with a no-op UPDATE).
    assert first.count("INSERT") == 1  # the transition's log
    assert len(first) <= 7

    with _statements() as again:
        page = client.get("/s/")
    assert page.status_code == 200
    assert again == ["SELECT"]  # no lock, no write: the row read says it is opened already
    assert "Set-Cookie" not in page.headers  # nor a new session cookie

    with _statements() as answered:
        sent = client.post(
            "/s/", data={"csrf_token": csrf_token(page.get_data(as_text=True)), **FULL_ANSWERS}
        )
    assert sent.status_code == 303
    # Read, lock and re-read, the response, its answers in one batch, the invitation's move.
    assert answered.count("INSERT") == 3  # the response, every answer at once, the transition
    assert len(answered) <= 11


def test_the_session_is_refreshed_now_and_then_not_on_every_page(client, db, monkeypatch):
    from feedback.surveys import session as survey_session

    _, invitation = live_invitation()
    client.get(f"/s/{TOKEN}", follow_redirects=True)  # the session gets its CSRF token
    assert "Set-Cookie" not in client.get("/s/").headers
    monkeypatch.setattr(survey_session, "REFRESH_SECONDS", 0)
    assert "Set-Cookie" in client.get("/s/").headers
    with client.session_transaction() as session:
        assert session[survey_session.SESSION_KEY][-1][0] == invitation.id


def _typical_version():
    """The library's questionnaire with as many questions again: ten, two of them 0-10 scales."""
    document = template("after-contact")
    extra = [{**question, "code": f"{question['code']}_2"} for question in document["questions"]]
    document = {**document, "program": "passport", "questions": document["questions"] + extra}
    program = make_program()
    version = import_document(document, publish=True)
    make_rule(program, version)
    _db.session.commit()
    return version


def _linked_files(html: str) -> list[str]:
    return re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"', html)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_page_and_what_it_links_weigh_under_50_kb(app: Flask, client, db, language):
    version = _typical_version()
    assert len(version.questions) == 10
    make_sent_invitation(version, TOKEN, language=language)
    page = client.get(f"/s/{TOKEN}", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data()
    links = _linked_files(html.decode())
    assert links, "the page links its style sheet"
    assert app.static_folder
    static = Path(app.static_folder)
    files = {
        link: (static / link.removeprefix("/static/").split("?")[0]).stat().st_size
        for link in links
    }
    total = len(html) + sum(files.values())
    assert total < PAGE_WEIGHT_LIMIT, f"page {len(html)} bytes + {files}: {total} bytes"


def test_static_files_are_cached_for_a_year_at_their_fingerprinted_address(client, db):
    live_invitation()
    html = client.get(f"/s/{TOKEN}", follow_redirects=True).get_data(as_text=True)
    (link,) = _linked_files(html)
    assert re.fullmatch(r"/static/feedback\.css\?v=[0-9a-f]{12}", link)
    versioned = client.get(link)
    assert versioned.status_code == 200
    assert versioned.headers["Cache-Control"] == f"public, max-age={MAX_AGE}, immutable"
    for stale in ("/static/feedback.css", "/static/feedback.css?v=0123456789ab"):
        assert "immutable" not in client.get(stale).headers.get("Cache-Control", "")


def test_a_published_version_is_built_once_per_language(client, db):
    from feedback.surveys import forms

    _, invitation = live_invitation()
    client.get(f"/s/{TOKEN}", follow_redirects=True)
    client.get("/s/?lang=fr")
    built = {key for key in forms._cache if key[0] == invitation.questionnaire_version_id}
    assert built == {
        (invitation.questionnaire_version_id, "en"),
        (invitation.questionnaire_version_id, "fr"),
    }


def test_a_draft_is_never_kept(app, db):
    from feedback.questionnaires import authoring
    from feedback.surveys import forms

    version, _ = live_invitation()
    draft = authoring.new_draft(version.questionnaire)
    _db.session.commit()
    with app.test_request_context():
        assert forms.survey_version(draft.id, "en").title == draft.title_en
        forms.survey_version(version.id, "en")
    assert (draft.id, "en") not in forms._cache
    assert (version.id, "en") in forms._cache


def test_a_blank_page_is_rendered_once_with_each_clients_own_values(app, client, db):
    """The blank page is kept per version, language and program name; each client still gets
    their own invitation id and CSRF token, a renamed program shows its new name, and the kept
    page is the page a fresh rendering gives."""
    from feedback.surveys import forms

    version, first = live_invitation()
    second = make_sent_invitation(version, "second-token-0123456789abcdefghijkl", n=2)
    other = app.test_client()

    def page(browser, url: str) -> str:
        with app.app_context():  # each request its own `g`, as on a server
            return browser.get(url, follow_redirects=True).get_data(as_text=True)

    pages = [page(client, f"/s/{TOKEN}"), page(other, "/s/second-token-0123456789abcdefghijkl")]
    assert f'name="invitation" value="{first.id}"' in pages[0]
    assert f'name="invitation" value="{second.id}"' in pages[1]
    tokens = [csrf_token(page) for page in pages]
    assert tokens[0] != tokens[1]
    assert "\x00" not in pages[0] + pages[1]
    kept = forms._cache[(version.id, "en")]
    assert len(kept._blank_pages) == 1
    # The same page as one rendered afresh (no cache), apart from the client's own values.
    forms._cache.clear()
    fresh = page(client, "/s/")
    assert fresh == pages[0].replace(tokens[0], csrf_token(fresh))
    # Sent as answers, the kept page's token is accepted.
    with app.app_context():
        sent = other.post("/s/", data={"csrf_token": tokens[1], **FULL_ANSWERS})
    assert sent.status_code == 303

    program = first.program
    program.name_en = "A renamed program"
    _db.session.commit()
    assert "A renamed program" in page(client, "/s/")


def test_threads_asking_at_once_for_a_version_not_built_yet_build_it_once(app, db, monkeypatch):
    """A fresh web process's threads all ask for the same version at once: the first builds it,
    the others wait for it and take it (no build repeated under the interpreter lock)."""
    import threading
    import time

    from feedback.surveys import forms

    version, _ = live_invitation()
    version_id = version.id  # read here: the threads must not share this test's session
    forms._cache.clear()
    builds: list[str] = []
    build = forms._build

    def slow_build(version_row, language):
        builds.append(version_row.id)
        time.sleep(0.05)  # long enough for every thread to be waiting
        return build(version_row, language)

    monkeypatch.setattr(forms, "_build", slow_build)
    got: list[object] = []

    def visit() -> None:
        with app.test_request_context():
            got.append(forms.survey_version(version_id, "en"))
            _db.session.remove()

    threads = [threading.Thread(target=visit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [version_id]
    assert len(got) == 6 and all(item is got[0] for item in got)
