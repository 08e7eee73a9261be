"""The governance tests' world (two programs, a user per role) for the admin pages' tests, and
the survey pages' browser fixtures (Chromium and axe-core) for their accessibility tests."""

from tests.governance.conftest import world  # noqa: F401  (fixtures, as below)
from tests.surveys.test_browser import browser, page, server  # noqa: F401
