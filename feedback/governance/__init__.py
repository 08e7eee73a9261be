"""Governance: who may do what (roles, permissions, program scopes), checked in one place."""
