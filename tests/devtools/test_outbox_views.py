"""The outbox pages: list, one message, JSON; development only; names checked strictly."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from feedback import create_app
from tests.devtools.helpers import sample_message, store


@pytest.fixture()
def outbox(app: Flask) -> Iterator[Path]:
    folder = Path(app.config["OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    for entry in folder.iterdir():
        entry.unlink()


def test_empty_outbox(client: FlaskClient, outbox: Path) -> None:
    page = client.get("/dev/outbox")
    assert page.status_code == 200
    assert "No email yet" in page.get_data(as_text=True)
    assert client.get("/dev/outbox.json").json == {"messages": []}


def test_list_is_newest_first_in_an_accessible_table(client: FlaskClient, outbox: Path) -> None:
    older = store(outbox, sample_message("Older"))
    newer = store(outbox, sample_message("Newer", to="other@example.ca"))
    html = client.get("/dev/outbox").get_data(as_text=True)

    assert html.index("Newer") < html.index("Older")
    assert "<caption" in html and html.count('<th scope="col"') == 3
    assert f'href="/dev/outbox/{newer.name}"' in html and f'href="/dev/outbox/{older.name}"' in html
    assert "other@example.ca" in html
    assert '<time datetime="2025-05-03T10:31:00+00:00">' in html


def test_json_lists_messages_with_the_links_of_the_text_part(
    client: FlaskClient, outbox: Path
) -> None:
    stored = store(outbox, sample_message("Tell us"))
    [item] = client.get("/dev/outbox.json").json["messages"]
    assert item == {
        "name": stored.name,
        "subject": "Tell us",
        "to": "client@example.ca",
        "date": "2025-05-03T10:31:00+00:00",
        "links": ["http://survey.test/s/tok-123", "http://survey.test/u/code-9"],
    }


def test_one_message_shows_headers_text_and_sandboxed_html(
    client: FlaskClient, outbox: Path
) -> None:
    stored = store(outbox, sample_message("Tell us"))
    page = client.get(f"/dev/outbox/{stored.name}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    assert re.search(r'<th scope="row"[^>]*>Subject</th>', html)
    assert "http://survey.test/u/code-9" in html  # the text part
    assert '<a href="http://survey.test/s/tok-123">http://survey.test/s/tok-123</a>' in html
    iframe = re.search(r"<iframe[^>]*>", html, re.DOTALL).group(0)
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in iframe
    assert "allow-scripts" not in iframe and "allow-same-origin" not in iframe
    assert 'title="HTML version of the message"' in iframe
    # the message's HTML travels escaped inside srcdoc, with links sent to a new tab
    assert (
        'srcdoc="&lt;!doctype html&gt;&lt;html lang=&#34;en&#34;&gt;&lt;head&gt;'
        "&lt;base target=&#34;_blank&#34;&gt;" in iframe
    )
    assert "<script>" not in html


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fconfig.py",
        "..",
        "notes.txt",
        ".incoming-abc.tmp",
        "20250503T103100000000Z-0a1b2c3d.eml.bak",
        "20250503T103100000000Z-0a1b2c3d.eml",  # well formed, but not there
    ],
)
def test_only_names_the_sink_writes_are_served(
    client: FlaskClient, outbox: Path, name: str
) -> None:
    (outbox / "notes.txt").write_text("not a message")
    assert client.get(f"/dev/outbox/{name}").status_code == 404


def test_path_traversal_is_refused(client: FlaskClient, outbox: Path) -> None:
    secret = outbox.parent / "20250503T103100000000Z-0a1b2c3d.eml"
    secret.write_bytes(sample_message("Outside").as_bytes())
    try:
        for path in (
            "/dev/outbox/../20250503T103100000000Z-0a1b2c3d.eml",
            "/dev/outbox/%2E%2E%2F20250503T103100000000Z-0a1b2c3d.eml",
        ):
            response = client.get(path)
            assert response.status_code == 404
            assert b"Outside" not in response.data
    finally:
        secret.unlink()


def test_refused_at_request_time_in_production(
    client: FlaskClient, outbox: Path, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = store(outbox, sample_message("Tell us"))
    monkeypatch.setitem(app.config, "FEEDBACK_ENV", "production")
    for path in ("/dev/outbox", "/dev/outbox.json", f"/dev/outbox/{stored.name}"):
        assert client.get(path).status_code == 404


def test_not_even_registered_in_production(app: Flask, tmp_path: Path) -> None:
    try:
        production = create_app(
            {
                "FEEDBACK_ENV": "production",
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.db'}",
                "OUTBOX_DIR": str(tmp_path / "outbox"),
                "REPORTS_DIR": str(tmp_path / "reports"),
                "CELERY": {"broker_url": "memory://", "broker_transport_options": {}},
            }
        )
    finally:
        # create_app makes its Celery app the default one, which shared tasks run on
        app.extensions["celery"].set_default()
    assert "devtools" not in production.blueprints
