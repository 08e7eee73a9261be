"""Nothing outside the registry branches on a question's kind.

Whatever varies by kind of question lives in its module under ``feedback/questionnaires/kinds/``
and is asked of the kind (``kinds.of(question).sms_hint()``); an ``if question.kind == ...``
elsewhere would be the first line of an ``if`` chain repeated in many files. This test reads
(with :mod:`ast`) every module of ``feedback/`` and of the plugins' packages, the registry's own
folder and the tests excepted, and refuses:

1. a comparison (``==``, ``!=``, ``is``, ``is not``, ``in``, ``not in``, and SQLAlchemy's
   ``.in_()``, ``.not_in()``, ``.notin_()``, ``.is_()``, ``.is_not()``, ``.isnot()``) of
   something named ``kind`` (a name ``kind`` or an attribute ``.kind``) with anything but:

   * ``<k>.name`` where ``<k>`` comes from the registry: the target of a ``for`` (loop or
     comprehension) over ``kinds.feeding(...)``, ``KINDS.values()`` or
     ``kinds.KINDS.values()``, or a name assigned ``kinds.of(...)`` / ``kinds.get(...)``, or
     such a call itself (``kinds.of(other).name``); a list, tuple or set of those, or a
     comprehension whose element is one (``[k.name for k in kinds.feeding(figure)]``);
   * the registry itself, for membership (``spec.kind in kinds.KINDS``: is it a known kind?);
   * ``None``, with ``is`` / ``is not`` (a missing kind is no branch on a kind).

   So ``Question.kind == kind.name for kind in kinds.feeding("nps")`` (reporting's SQL) passes,
   while ``question.kind == "rating"``, ``question.kind == QuestionKind.RATING`` and
   ``a.kind == b.kind`` (ask ``kinds.of(a) is kinds.of(b)``) do not;
2. a comparison, wherever it is, with a string literal that is a kind's name
   (``kinds.of(q).name == "free_text"``, ``"nps" in names``), alone or in a literal
   list, tuple or set; the names are the registry's, so a new kind is covered the day it comes;
3. ``match`` on something named ``kind``, a ``case`` on a kind's name, or a class pattern
   on its ``kind`` attribute (``case Question(kind=...)``);
4. the old enum: any attribute of a name ``QuestionKind`` (``QuestionKind.RATING``) or a call
   of it (``QuestionKind("rating")``), except inside a type annotation;
5. a table of its own keyed by kind: ``TABLE[question.kind]`` or ``TABLE.get(question.kind)``
   where the table is not the registry (``kinds.KINDS``, ``kinds.get``), and ``getattr``
   with a name built from a kind; and ``.filter_by(kind="rating")``.

Templates (``feedback/templates``, ``plugins/*/*/templates``) are read with a regular
expression over their Jinja tags: no ``kind`` (``.kind``, ``kind``, ``kind.name``) compared with
``==``, ``!=``, ``in``, ``not in`` or a test (``is sameas``, ``is eq`` ...) to a quoted kind
name, in either order. A template asks the kind (``kind.grouped``, ``kind.scale_layout``).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from feedback.questionnaires.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "feedback" / "questionnaires" / "kinds"
KIND_NAMES = frozenset(KINDS)

_COMPARING = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot, ast.In, ast.NotIn)
_SQL_COMPARING = frozenset({"in_", "not_in", "notin_", "is_", "is_not", "isnot"})
_REGISTRY_CALLS = frozenset({"of", "get"})


# --- the Python rule ---------------------------------------------------------------------------


def _is_kind(node: ast.AST) -> bool:
    """Something named kind: `kind` or `<anything>.kind`."""
    return (isinstance(node, ast.Name) and node.id == "kind") or (
        isinstance(node, ast.Attribute) and node.attr == "kind"
    )


def _is_kinds_module(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "kinds"


def _is_registry_mapping(node: ast.AST) -> bool:
    """`KINDS` or `kinds.KINDS`."""
    return (isinstance(node, ast.Name) and node.id == "KINDS") or (
        isinstance(node, ast.Attribute) and node.attr == "KINDS" and _is_kinds_module(node.value)
    )


def _kind_name_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in KIND_NAMES
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(_kind_name_literal(element) for element in node.elts)
    return False


def _registry_lookup(node: ast.AST) -> bool:
    """`kinds.of(...)`, or `kinds.get(...)` / `get(...)` not given a kind's name in a literal."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    named = (
        isinstance(func, ast.Attribute)
        and func.attr in _REGISTRY_CALLS
        and _is_kinds_module(func.value)
    )
    if not named:
        return False
    return not any(_kind_name_literal(arg) for arg in node.args)


def _registry_iterable(node: ast.AST) -> bool:
    """`kinds.feeding(...)`, `feeding(...)`, `KINDS.values()`, `kinds.KINDS.values()`."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Name):
        return func.id == "feeding"
    if isinstance(func, ast.Attribute):
        if func.attr == "feeding":
            return _is_kinds_module(func.value)
        if func.attr == "values":
            return _is_registry_mapping(func.value)
    return False


def _target_names(target: ast.AST) -> Iterator[str]:
    for node in ast.walk(target):
        if isinstance(node, ast.Name):
            yield node.id


def _registry_names(tree: ast.AST) -> frozenset[str]:
    """Names bound to a kind taken from the registry, anywhere in the module."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension) and _registry_iterable(
            node.iter
        ):
            names.update(_target_names(node.target))
        elif isinstance(node, ast.Assign) and _registry_lookup(node.value):
            for target in node.targets:
                names.update(_target_names(target))
        elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and (
            node.value is not None and _registry_lookup(node.value)
        ):
            names.update(_target_names(node.target))
    return frozenset(names)


def _registry_name(node: ast.AST, from_registry: frozenset[str]) -> bool:
    """`<k>.name` of a kind from the registry, or a collection of them."""
    if isinstance(node, ast.Attribute) and node.attr == "name":
        base = node.value
        return (isinstance(base, ast.Name) and base.id in from_registry) or _registry_lookup(base)
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return bool(node.elts) and all(_registry_name(e, from_registry) for e in node.elts)
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        return _registry_name(node.elt, from_registry)
    return False


def _allowed_other_side(other: ast.AST, op: ast.cmpop | str, from_registry: frozenset[str]) -> bool:
    if _registry_name(other, from_registry):
        return True
    membership = isinstance(op, ast.In | ast.NotIn) or op in {"in_", "not_in", "notin_"}
    if membership and _is_registry_mapping(other):
        return True
    identity = isinstance(op, ast.Is | ast.IsNot) or op in {"is_", "is_not", "isnot"}
    return identity and isinstance(other, ast.Constant) and other.value is None


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """The ids of every node inside a type annotation."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            roots.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            roots.append(node.annotation)
    return {id(inner) for root in roots for inner in ast.walk(root)}


def _source(node: ast.AST) -> str:
    return ast.unparse(node)


def kind_branches(source: str, filename: str = "<string>") -> list[str]:
    """Every place in `source` that branches on a question's kind, as "file:line: code"."""
    tree = ast.parse(source, filename)
    from_registry = _registry_names(tree)
    in_annotation = _annotation_nodes(tree)
    found: list[str] = []

    def refuse(node: ast.AST, why: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {why}: {_source(node)}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
                if not isinstance(op, _COMPARING):
                    continue
                if _kind_name_literal(left) or _kind_name_literal(right):
                    refuse(node, "compares with a kind's name")
                    continue
                for one, other in ((left, right), (right, left)):
                    if _is_kind(one) and not _allowed_other_side(other, op, from_registry):
                        refuse(node, "compares a kind")
                        break
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _SQL_COMPARING:
                others = [*node.args, *(k.value for k in node.keywords)]
                if any(_kind_name_literal(other) for other in others):
                    refuse(node, "compares with a kind's name")
                elif _is_kind(func.value) and not all(
                    _allowed_other_side(other, func.attr, from_registry) for other in others
                ):
                    refuse(node, "compares a kind")
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "filter_by"
                and any(k.arg == "kind" and _kind_name_literal(k.value) for k in node.keywords)
            ):
                refuse(node, "filters on a kind's name")
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "get"
                and any(_is_kind(arg) for arg in node.args[:1])
                and not (_is_kinds_module(func.value) or _is_registry_mapping(func.value))
            ):
                refuse(node, "looks a kind up in a table of its own")
            if (
                isinstance(func, ast.Name)
                and func.id == "getattr"
                and len(node.args) >= 2
                and any(_is_kind(inner) for inner in ast.walk(node.args[1]))
            ):
                refuse(node, "dispatches on a kind by name")
            if (
                isinstance(func, ast.Name)
                and func.id == "QuestionKind"
                and id(node) not in in_annotation
            ):
                refuse(node, "uses the old QuestionKind enum")
        elif isinstance(node, ast.Subscript):
            if _is_kind(node.slice) and not _is_registry_mapping(node.value):
                refuse(node, "looks a kind up in a table of its own")
        elif isinstance(node, ast.Attribute):
            if (
                isinstance(node.value, ast.Name)
                and node.value.id == "QuestionKind"
                and id(node) not in in_annotation
            ):
                refuse(node, "uses the old QuestionKind enum")
        elif isinstance(node, ast.Match):
            if _is_kind(node.subject):
                refuse(node.subject, "matches on a kind")
        elif isinstance(node, ast.MatchValue):
            if _kind_name_literal(node.value):
                refuse(node.value, "matches a kind's name")
        elif isinstance(node, ast.MatchClass) and "kind" in node.kwd_attrs:
            refuse(node, "matches on a kind")
    return found


# --- the template rule -------------------------------------------------------------------------

_JINJA = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
_NAME = "|".join(sorted(map(re.escape, KIND_NAMES), key=len, reverse=True))
_QUOTED = rf"""(?:"(?:{_NAME})"|'(?:{_NAME})')"""
_KIND = r"(?<![\w.])(?:[\w.]*\.)?kind(?:\.name)?(?!\w)"
_OPERATOR = r"(?:==|!=|\bnot\s+in\b|\bin\b|\bis\s+(?:not\s+)?(?:sameas|equalto|eq|ne|==|!=)\b)"
_TEMPLATE_BRANCH = re.compile(
    rf"{_KIND}\s*{_OPERATOR}\s*\(?\s*[\[(]?[^%}}=!]*?{_QUOTED}"
    rf"|{_QUOTED}\s*{_OPERATOR}\s*(?:[\w.]*\.)?kind\b"
)


def template_kind_branches(text: str, filename: str = "<template>") -> list[str]:
    found = []
    for tag in _JINJA.finditer(text):
        if _TEMPLATE_BRANCH.search(tag.group(0)):
            line = text.count("\n", 0, tag.start()) + 1
            found.append(f"{filename}:{line}: {tag.group(0)}")
    return found


# --- what is read ------------------------------------------------------------------------------


def python_files() -> list[Path]:
    packages = [ROOT / "feedback"] + [
        package.parent for package in sorted(ROOT.glob("plugins/*/*/__init__.py"))
    ]
    files = []
    for package in packages:
        for path in sorted(package.rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if path.is_relative_to(REGISTRY) or "tests" in parts:
                continue
            files.append(path)
    return files


def template_files() -> list[Path]:
    folders = [ROOT / "feedback" / "templates", *sorted(ROOT.glob("plugins/*/*/templates"))]
    return [path for folder in folders for path in sorted(folder.rglob("*")) if path.is_file()]


# --- the tree ------------------------------------------------------------------------------------


def test_what_is_read_covers_the_core_and_every_plugin_package():
    files = {path.relative_to(ROOT).as_posix() for path in python_files()}
    for expected in (
        "feedback/surveys/forms.py",
        "feedback/conversations/texts.py",
        "feedback/conversations/parsing.py",
        "feedback/voice/keys.py",
        "feedback/voice/flow.py",
        "feedback/responses/services.py",
        "feedback/reporting/estimates/figures.py",
        "feedback/reporting/themes/store.py",
        "feedback/questionnaires/authoring.py",
    ):
        assert expected in files
    assert not any(name.startswith("feedback/questionnaires/kinds/") for name in files)
    assert not any("/tests/" in name for name in files)
    plugins = {name.split("/")[1] for name in files if name.startswith("plugins/")}
    assert plugins == {path.name for path in (ROOT / "plugins").iterdir() if path.is_dir()}
    assert "feedback/templates/survey/form.html" in {
        path.relative_to(ROOT).as_posix() for path in template_files()
    }


def test_no_python_module_branches_on_a_kind():
    found = [
        branch
        for path in python_files()
        for branch in kind_branches(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert found == [], "ask the kind (feedback.questionnaires.kinds) instead:\n" + "\n".join(found)


def test_no_template_branches_on_a_kind():
    found = [
        branch
        for path in template_files()
        for branch in template_kind_branches(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert found == [], "ask the kind (kind.grouped ...) instead:\n" + "\n".join(found)


def test_reporting_compares_kinds_only_through_the_registry():
    """The comments' store does compare Question.kind, in SQL: the rule sees it and lets it
    through, and would refuse a kind named in the code."""
    source = (ROOT / "feedback" / "reporting" / "themes" / "store.py").read_text()
    registry = 'Question.kind.in_([kind.name for kind in kinds.feeding("satisfaction")])'
    assert registry in source
    assert kind_branches(source) == []
    planted = source.replace(registry, 'Question.kind.in_(["rating"])', 1)
    assert len(kind_branches(planted)) == 1


# --- the checker itself --------------------------------------------------------------------------

REFUSED = {
    "literal": 'if question.kind == "rating":\n    pass',
    "literal, reversed": 'if "free_text" != question.kind:\n    pass',
    "bare name": 'def f(kind):\n    return kind == "nps"',
    "in a tuple": 'if question.kind in ("rating", "nps"):\n    pass',
    "not in a list": 'if kind not in ["yes_no"]:\n    pass',
    "is": 'if question.kind is "effort":\n    pass',
    "the name of a kind": 'if kinds.of(question).name == "multiple_choice":\n    pass',
    "old enum": "if question.kind == QuestionKind.RATING:\n    pass",
    "old enum alone": "DEFAULT = QuestionKind.NPS",
    "old enum by value": 'kind = QuestionKind("rating")',
    "old enum compared to value": "if q.kind == QuestionKind.FREE_TEXT.value:\n    pass",
    "another kind": "if question.kind == previous.kind:\n    pass",
    "a variable": "if question.kind == wanted:\n    pass",
    "a constant": "if question.kind in SCALES:\n    pass",
    "get of a literal": 'if question.kind == kinds.get("rating").name:\n    pass',
    "sql literal": 'select(Question).where(Question.kind == "rating")',
    "sql in_ literal": 'select(Question).where(Question.kind.in_(["rating", "nps"]))',
    "sql in_ variable": "select(Question).where(Question.kind.in_(scales))",
    "filter_by": 'Question.query.filter_by(kind="free_text")',
    "match": 'match question.kind:\n    case "rating":\n        pass',
    "case on a name": 'match value:\n    case "single_choice":\n        pass',
    "class pattern": "match q:\n    case Question(kind=k):\n        pass",
    "a table": "hint = HINTS[question.kind]",
    "a table's get": "hint = HINTS.get(question.kind)",
    "getattr": 'getattr(self, f"_ask_{question.kind}")(question)',
}

ALLOWED = {
    "stats, in SQL": (
        "or_(*(and_(Question.kind == kind.name, v >= kind.scale.top_from)\n"
        "      for kind in kinds.feeding(figure) if kind.scale is not None))"
    ),
    "stats, in_": "Question.kind.in_([kind.name for kind in kinds.feeding(figure)])",
    "a loop over the registry": (
        "for each in kinds.KINDS.values():\n    if question.kind == each.name:\n        pass"
    ),
    "a kind from of()": "k = kinds.of(other)\nsame = question.kind == k.name",
    "of() inline": "same = question.kind == kinds.of(other).name",
    "a known kind": "if spec.kind not in kinds.KINDS:\n    raise ValueError",
    "a known kind, bare": "ok = kind in KINDS",
    "none": "if question.kind is None:\n    pass",
    "asking the kind": "hint = kinds.of(question).sms_hint()",
    "the registry's look-ups": "k = kinds.get(spec.kind)\nk2 = kinds.KINDS[question.kind]",
    "attributes of a kind": "if kind.scale is not None and kind.grouped:\n    pass",
    "annotations": (
        "def f(kind: QuestionKind) -> QuestionKind:\n    x: QuestionKind = kind\n    return x"
    ),
    "storing a kind": 'Question(code="q", kind="rating", text_en="Q?")',
    "another field": 'if channel.name == "email":\n    pass',
    "a figure argument": 'nps = _fed_by("nps")',
    "isinstance": "isinstance(channel, kind)",
}


@pytest.mark.parametrize("source", REFUSED.values(), ids=REFUSED.keys())
def test_the_checker_refuses(source):
    assert len(kind_branches(source)) >= 1, source


@pytest.mark.parametrize("source", ALLOWED.values(), ids=ALLOWED.keys())
def test_the_checker_allows(source):
    assert kind_branches(source) == []


def test_the_checker_names_the_file_and_the_line():
    source = 'x = 1\nif question.kind == "rating":\n    pass\n'
    assert kind_branches(source, "feedback/x.py") == [
        "feedback/x.py:2: compares with a kind's name: question.kind == 'rating'"
    ]


def test_the_checker_fails_the_tree_test_on_a_planted_module(tmp_path, monkeypatch):
    planted = tmp_path / "feedback" / "surveys" / "planted.py"
    planted.parent.mkdir(parents=True)
    planted.write_text(
        'def label(question):\n    if question.kind == "rating":\n        return 1\n'
    )
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "REGISTRY", tmp_path / "feedback" / "questionnaires" / "kinds")
    with pytest.raises(AssertionError, match=r"feedback/surveys/planted\.py:2"):
        test_no_python_module_branches_on_a_kind()


TEMPLATES_REFUSED = [
    '{% if question.kind == "rating" %}',
    "{% if kind == 'nps' %}",
    '{% if kind.name != "free_text" %}',
    '{% if question.kind in ["rating", "nps"] %}',
    '{% if question.kind not in ("yes_no",) %}',
    '{% if question.kind is sameas "effort" %}',
    '{{ "x" if q.kind == "multiple_choice" }}',
    '{% if "single_choice" == question.kind %}',
]
TEMPLATES_ALLOWED = [
    "{% if kind.grouped %}",
    '<div class="choices{% if kind.scale_layout %} choices--scale{% endif %}">',
    "{% for question, field, kind in entries %}",
    '<input value="rating"> {% if question.required %}',
    '{% if channel == "email" %}',
]


@pytest.mark.parametrize("text", TEMPLATES_REFUSED)
def test_the_template_checker_refuses(text):
    assert template_kind_branches(text) != []


@pytest.mark.parametrize("text", TEMPLATES_ALLOWED)
def test_the_template_checker_allows(text):
    assert template_kind_branches(text) == []
