"""`feedback comments code`: streams JSON lines in and out; a bad line names itself and leaves
--out untouched."""

from __future__ import annotations

import json

import pytest

from feedback.extensions import db as _db
from tests.factories import make_setup
from tests.reporting.helpers import add_contact, at


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_each_comment_is_written_back_scrubbed_and_coded(runner, tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(
        source,
        [
            json.dumps(
                {"lang": "en", "text": "On hold 2 hours. Call me at 613-555-0142.", "id": 7}
            ),
            "",
            json.dumps(
                {"lang": "fr", "text": "Merci beaucoup à Mme Tremblay!"}, ensure_ascii=False
            ),
        ],
    )
    result = runner.invoke(args=["comments", "code", "--in", str(source), "--out", str(target)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert rows == [
        {
            "lang": "en",
            "text": "On hold 2 hours. Call me at 613-555-0142.",
            "id": 7,
            "scrubbed": "On hold 2 hours. Call me at [phone].",
            "themes": ["phone_access"],
        },
        {
            "lang": "fr",
            "text": "Merci beaucoup à Mme Tremblay!",
            "scrubbed": "Merci beaucoup à Mme [nom]!",
            "themes": ["praise"],
        },
    ]
    assert "coded 2 comment(s)" in result.stderr


def test_drop_text_leaves_the_original_out(runner, tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(source, [json.dumps({"lang": "en", "text": "Email a.b@example.com"})])
    result = runner.invoke(
        args=["comments", "code", "--in", str(source), "--out", str(target), "--drop-text"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text()) == {
        "lang": "en",
        "scrubbed": "Email [email]",
        "themes": [],
    }


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "line 2: not JSON"),
        ('["a list"]', "line 2: expected an object"),
        ('{"lang": "de", "text": "Hallo"}', 'line 2: "lang" must be "en" or "fr"'),
        ('{"lang": "en", "text": 12}', 'line 2: "text" must be a string'),
    ],
)
def test_a_bad_line_stops_with_its_number_and_leaves_out_as_it_was(runner, tmp_path, bad, message):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write(source, [json.dumps({"lang": "en", "text": "fine"}), bad])
    target.write_text("previous run\n")
    result = runner.invoke(args=["comments", "code", "--in", str(source), "--out", str(target)])
    assert result.exit_code == 1
    assert message in result.stderr
    assert target.read_text() == "previous run\n"
    assert {p.name for p in tmp_path.iterdir()} == {"in.jsonl", "out.jsonl"}  # no temporary left


def test_standard_input_is_read_with_a_dash(runner, tmp_path):
    target = tmp_path / "out.jsonl"
    result = runner.invoke(
        args=["comments", "code", "--in", "-", "--out", str(target)],
        input=json.dumps({"lang": "en", "text": "The fees are too high."}) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["themes"] == ["fees"]


def test_update_and_recode_keep_the_stored_comments_coded(runner, db):
    _program, version, _rule = make_setup()
    add_contact(
        version,
        sent_at=at("2026-03-01 09:00"),
        completed_at=at("2026-03-01 10:00"),
        answers={"comment": {"value_text": "The fees are too high."}},
    )
    _db.session.commit()
    assert runner.invoke(args=["comments", "update"]).output == "coded 1 new comment(s)\n"
    assert runner.invoke(args=["comments", "update"]).output == "coded 0 new comment(s)\n"
    assert runner.invoke(args=["comments", "recode"]).output == "recoded 1 comment(s)\n"
