"""Builds compile the translation catalogues (`.po` → `.mo`), so that an installed wheel speaks
French; everything else about the distribution is in setup.cfg."""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

PACKAGE = "feedback"
DOMAIN = "messages"


class build_py_with_catalogues(build_py):  # noqa: N801 - setuptools command naming
    def run(self) -> None:
        super().run()
        # An editable install runs from the source folder: compile there (*.mo is ignored by git).
        root = Path(PACKAGE) if self.editable_mode else Path(self.build_lib) / PACKAGE
        for po in (Path(PACKAGE) / "translations").glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
            mo = root / po.relative_to(PACKAGE).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parts[-3], domain=DOMAIN)
            with mo.open("wb") as target:
                write_mo(target, catalog, use_fuzzy=True)  # as `make translations` (-f)


setup(cmdclass={"build_py": build_py_with_catalogues})
