"""Channel plugins are discovered through entry points, exactly as a third party's would be."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from feedback import create_app
from feedback.channels.registry import ChannelConfigError, discover


def _install_fake_distribution(root: Path, body: str, package: str = "acme_pigeon") -> None:
    """A minimal installed distribution on sys.path: a package and its entry_points.txt.

    Each test uses its own package name, since Python caches imported modules."""
    (root / package).mkdir()
    (root / package / "__init__.py").write_text(textwrap.dedent(body))
    info = root / f"{package}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[feedback.channels]\npigeon = {package}:Pigeon\n")


PIGEON = """
    from flask import Blueprint
    from feedback.channels import Channel, DeliveryResult

    class Pigeon(Channel):
        name = "pigeon"
        requires = frozenset({"phone"})
        settings = {"PIGEON_LOFT": "roof"}

        def send(self, invitation):
            return DeliveryResult.sent("coo")

        def blueprint(self):
            bp = Blueprint("pigeon", __name__)
            bp.add_url_rule("/ping", "ping", lambda: "coo")
            return bp
"""


@pytest.fixture(autouse=True)
def _keep_the_test_apps_celery(app):
    """create_app() makes its Celery app the default: give the suite's back afterwards."""
    yield
    app.extensions["celery"].set_default()


def _config(channels: list[str]) -> dict:
    return {
        "FEEDBACK_ENV": "testing",
        "SECRET_KEY": "x",
        "FEEDBACK_CHANNELS": channels,
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "CELERY": {"broker_url": "memory://"},
    }


def test_bundled_email_plugin_is_discovered():
    assert "email" in discover()


def test_third_party_plugin_is_found_enabled_and_mounted(tmp_path, monkeypatch):
    _install_fake_distribution(tmp_path, PIGEON)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert discover()["pigeon"].value == "acme_pigeon:Pigeon"
    app = create_app(_config(["email", "pigeon"]))
    pigeon = app.extensions["feedback.channels"]["pigeon"]
    assert pigeon.config == {"PIGEON_LOFT": "roof"}
    assert pigeon.can_reach(None, "+16135550100") and not pigeon.can_reach("a@b.c", None)
    assert app.test_client().get("/hooks/pigeon/ping").data == b"coo"
    result = app.test_cli_runner().invoke(args=["channels"])
    assert "pigeon\tacme_pigeon:Pigeon\tenabled" in result.output


def test_unknown_channel_name_fails_at_start_up():
    with pytest.raises(ChannelConfigError, match="no installed plugin provides it"):
        create_app(_config(["email", "carrier-owl"]))


def test_broken_plugin_fails_at_start_up_with_its_name(tmp_path, monkeypatch):
    _install_fake_distribution(
        tmp_path, "raise ImportError('missing dependency foo')\n", "broken_pigeon"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ChannelConfigError, match="'pigeon' .* failed to load: missing dependency"):
        create_app(_config(["pigeon"]))


def test_something_that_is_not_a_channel_is_refused(tmp_path, monkeypatch):
    _install_fake_distribution(tmp_path, "class Pigeon:\n    pass\n", "plain_pigeon")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ChannelConfigError, match="not a Channel subclass"):
        create_app(_config(["pigeon"]))


@pytest.mark.parametrize(
    ("environment", "local", "outbox"),
    [("testing", True, True), ("staging", False, False), ("production", False, False)],
)
def test_every_channel_gets_the_platform_context(tmp_path, environment, local, outbox):
    """Plugins learn where they run from the platform, never from the core's settings: the
    development outbox exists only where development shortcuts are allowed."""
    config = _config(["email"]) | {
        "FEEDBACK_ENV": environment,
        "PUBLIC_BASE_URL": "https://feedback.example.ca",
        "OUTBOX_DIR": str(tmp_path / "outbox"),
    }
    email = create_app(config).extensions["feedback.channels"]["email"]
    platform = email.platform
    assert (platform.environment, platform.local) == (environment, local)
    assert (platform.dev_outbox == tmp_path / "outbox") is outbox
    assert platform.dev_outbox is not None or not outbox
    assert (
        email.hook_url("/status", {"a": "1"})
        == "https://feedback.example.ca/hooks/email/status?a=1"
    )
    assert email.log.name == "feedback.plugins.email"
    assert "PUBLIC_BASE_URL" not in email.config and "FEEDBACK_ENV" not in email.config
