"""Questionnaires: their immutable published versions, ordered bilingual questions, the registry
of question kinds, and the authoring services that build them."""
