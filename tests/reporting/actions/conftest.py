"""The survey pages' browser fixtures (Chromium, axe-core)."""

from tests.surveys.test_browser import browser, page, server  # noqa: F401  (fixtures)
