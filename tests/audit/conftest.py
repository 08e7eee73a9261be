"""The governance tests' world (two programs, a user per role) for the audit log's tests."""

from tests.governance.conftest import world  # noqa: F401  (a fixture)
