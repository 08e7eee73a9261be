"""The governance tests' world (two programs, a user per role) for the reporting tests."""

from tests.governance.conftest import world  # noqa: F401  (fixture)
