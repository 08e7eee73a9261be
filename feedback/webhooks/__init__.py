"""Signed webhooks: replay protection shared by every web process, kept in the database."""
