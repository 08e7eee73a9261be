"""The governance tests' world (two programs, a user per role), and the browser fixtures."""

from tests.governance.conftest import world  # noqa: F401  (fixtures, as below)
from tests.surveys.test_browser import browser, page, server  # noqa: F401
