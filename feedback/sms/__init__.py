"""Text messages: segment counting, the dev outbox for texts and the questionnaire preview."""
