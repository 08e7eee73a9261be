"""Imports every area's models so that db.metadata (and Alembic) sees all tables."""

from feedback.accounts.models import ApiKey, Role, User
from feedback.contacts.models import ContactEvent
from feedback.conversations.models import Conversation
from feedback.delivery.models import Invitation, InvitationStatus, InvitationTransition, OptOut
from feedback.distribution.models import DistributionRule
from feedback.programs.models import Program
from feedback.reporting.models import FactAnswerDaily, FactInvitationDaily, Report, ReportStatus
from feedback.responses.models import Answer, Response
from feedback.surveys.models import Question, QuestionKind, Questionnaire, QuestionnaireVersion
from feedback.webhooks.models import SeenSignature

__all__ = [
    "Answer",
    "ApiKey",
    "ContactEvent",
    "Conversation",
    "DistributionRule",
    "FactAnswerDaily",
    "FactInvitationDaily",
    "Invitation",
    "InvitationStatus",
    "InvitationTransition",
    "OptOut",
    "Program",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireVersion",
    "Report",
    "ReportStatus",
    "Response",
    "Role",
    "SeenSignature",
    "User",
]
