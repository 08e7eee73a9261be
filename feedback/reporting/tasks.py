"""Reporting tasks (being written)."""
