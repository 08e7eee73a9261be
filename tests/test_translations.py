"""Every user-facing string has its French translation (core catalogue and each plugin's)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
]
OPTIONS = {"**/templates/**": {"extensions": "jinja2.ext.do"}}


def _catalogues() -> list[tuple[Path, Path]]:
    """(source folder, French .po) for the core and for every plugin that has a catalogue."""
    found = [(ROOT / "feedback", ROOT / "feedback/translations/fr/LC_MESSAGES/messages.po")]
    for po in sorted(ROOT.glob("plugins/*/*/translations/fr/LC_MESSAGES/*.po")):
        found.append((po.parents[3], po))
    return found


def _msgids(folder: Path) -> set[str]:
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        folder,
        METHODS,
        OPTIONS,
        keywords={"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2), "_l": None},
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


@pytest.mark.parametrize(("folder", "po_path"), _catalogues(), ids=lambda p: str(p))
def test_every_string_has_a_french_translation(folder: Path, po_path: Path):
    assert po_path.exists(), f"missing French catalogue {po_path}"
    with po_path.open("rb") as handle:
        catalogue = read_po(handle)
    missing = []
    for msgid in sorted(_msgids(folder)):
        message = catalogue.get(msgid)
        translated = message is not None and message.string and not message.fuzzy
        if isinstance(message and message.string, tuple):
            translated = all(message.string)
        if not translated:
            missing.append(msgid)
    assert not missing, f"{len(missing)} strings lack a French translation in {po_path}: {missing}"


def test_no_translated_string_hides_inside_an_f_string():
    """Babel cannot extract _() from inside an f-string: such a text would never be translated."""
    pattern = re.compile(r"""\bf(["'])[^\n]*?\{\s*(_|gettext|lazy_gettext)\(""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in [*ROOT.glob("feedback/**/*.py"), *ROOT.glob("plugins/*/*/**/*.py")]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders
