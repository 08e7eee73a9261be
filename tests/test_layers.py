"""Imports go one way: the contract knows nothing of the core, the lifecycle knows nothing of
the channels' engines, nothing in the core imports the plugin API, and plugins reach the core
only through the contract and the plugin API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports (absolute names; `from x import y` counts x and x.y)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _core() -> dict[str, set[str]]:
    return {_module(path): imports_of(path) for path in (ROOT / "feedback").rglob("*.py")}


def _reaches(imports: set[str], prefixes: tuple[str, ...]) -> set[str]:
    return {name for name in imports if name.startswith(prefixes)}


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        # The plugin contract is plain data and a base class.
        ("feedback.channels.base", ("feedback.",)),
        # The lifecycle does not know who moves invitations.
        (
            "feedback.invitations.lifecycle",
            (
                "feedback.conversations",
                "feedback.sms",
                "feedback.voice",
                "feedback.surveys",
                "feedback.consent",
                "feedback.distribution",
                "feedback.channels",
            ),
        ),
        # The generic outbox does not know the SMS or voice engines.
        (
            "feedback.invitations.outbox",
            ("feedback.conversations", "feedback.sms", "feedback.voice"),
        ),
        ("feedback.invitations.receipts", ("feedback.conversations", "feedback.sms")),
        # Question kinds are below every engine that asks them.
        (
            "feedback.questionnaires.kinds.base",
            ("feedback.conversations", "feedback.voice", "feedback.surveys", "feedback.responses"),
        ),
    ],
)
def test_lower_modules_do_not_import_higher_ones(module, forbidden):
    assert not _reaches(_core()[module], forbidden)


def test_the_kinds_package_imports_no_engine():
    core = _core()
    engines = ("feedback.conversations", "feedback.voice", "feedback.surveys", "feedback.reporting")
    offenders = {
        module: sorted(_reaches(imports, engines))
        for module, imports in core.items()
        if module.startswith("feedback.questionnaires.kinds") and _reaches(imports, engines)
    }
    assert not offenders


def test_nothing_in_the_core_imports_the_plugin_api():
    offenders = [
        module
        for module, imports in _core().items()
        if module != "feedback.plugin_api" and _reaches(imports, ("feedback.plugin_api",))
    ]
    assert not offenders


def test_plugins_reach_the_core_only_through_the_contract_and_the_plugin_api():
    allowed = ("feedback.channels", "feedback.plugin_api")
    offenders = {}
    for package in (ROOT / "plugins").glob("*/feedback_*"):
        for path in package.rglob("*.py"):
            core = {
                name
                for name in imports_of(path)
                if name == "feedback" or name.startswith("feedback.")
            }
            # `from feedback import plugin_api as api` names feedback and feedback.plugin_api.
            wrong = {name for name in core if name != "feedback" and not name.startswith(allowed)}
            if wrong:
                offenders[str(path.relative_to(ROOT))] = sorted(wrong)
    assert not offenders


def test_the_audit_record_knows_no_other_area():
    """Accounts, questionnaires and distribution all call `audit.services.record`: the record
    (its model and service) is below them, and only its page uses the governance checks."""
    allowed = ("feedback.audit", "feedback.extensions", "feedback.db_types")
    core = _core()
    offenders = {
        module: sorted(
            name for name in _reaches(core[module], ("feedback",)) if not name.startswith(allowed)
        )
        for module in ("feedback.audit.models", "feedback.audit.services")
        if any(not name.startswith(allowed) for name in _reaches(core[module], ("feedback",)))
    }
    assert not offenders
