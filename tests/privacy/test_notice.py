"""The privacy notice states purpose, authority, retention and how to ask, in both languages."""

from __future__ import annotations

import html

from flask_babel import refresh


def _page(client, lang: str) -> str:
    refresh()  # the tests' app context outlives a request: forget the last request's locale
    page = client.get(f"/privacy?lang={lang}")
    assert page.status_code == 200
    return html.unescape(page.get_data(as_text=True))


def test_the_notice_in_english_and_french_with_the_defaults(client):
    english = _page(client, "en")
    assert "measure and improve the services" in english
    assert "the Department's enabling legislation" in english and "Privacy Act" in english
    assert "for 730 days" in english
    assert "the Department's privacy coordinator" in english
    french = _page(client, "fr")
    assert "mesurer et améliorer les services" in french
    assert "Loi sur la protection des renseignements personnels" in french
    assert "pendant 730 jours" in french
    assert "coordonnatrice de la protection des renseignements personnels" in french


def test_the_department_sets_its_authority_contact_and_retention(app, client, monkeypatch):
    for key, value in {
        "PRIVACY_AUTHORITY_EN": "Collected under section 4 of the Example Act.",
        "PRIVACY_AUTHORITY_FR": "Recueillis en vertu de l'article 4 de la Loi sur l'exemple.",
        "PRIVACY_CONTACT": "privacy@example.gc.ca",
        "RETENTION_DAYS": 365,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    english = _page(client, "en")
    assert "section 4 of the Example Act" in english and "enabling legislation" not in english
    assert "contact privacy@example.gc.ca" in english and "for 365 days" in english
    french = _page(client, "fr")
    assert "l'article 4 de la Loi sur l'exemple" in french
    assert "communiquez avec privacy@example.gc.ca" in french
