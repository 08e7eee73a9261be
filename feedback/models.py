"""Imports every area's models so that db.metadata (and Alembic) sees all tables."""

from feedback.accounts.models import ApiKey, Role, SignInThrottle, User
from feedback.audit.models import AuditEvent
from feedback.consent.models import OptOut
from feedback.contacts.models import ContactEvent
from feedback.conversations.models import Conversation
from feedback.distribution.models import DistributionRule, RuleQuotaUsage
from feedback.follow_ups.models import FollowUp, FollowUpNote, FollowUpPolicy
from feedback.invitations.models import Invitation, InvitationStatus, InvitationTransition
from feedback.programs.models import Program
from feedback.questionnaires.models import Question, Questionnaire, QuestionnaireVersion
from feedback.reporting.actions.models import ActionStatus, ThemeAction
from feedback.reporting.models import (
    FactAnswerChannelDaily,
    FactAnswerDaily,
    FactAnswerMonthly,
    FactAnswerPairDaily,
    FactInvitationDaily,
    FactWatermark,
    Report,
    ReportStatus,
)
from feedback.reporting.themes.models import CodedComment
from feedback.responses.models import Answer, Response
from feedback.walk_in.models import WalkInHour, WalkInPoint
from feedback.webhooks.models import SeenSignature

__all__ = [
    "ActionStatus",
    "Answer",
    "ApiKey",
    "AuditEvent",
    "CodedComment",
    "ContactEvent",
    "Conversation",
    "DistributionRule",
    "FactAnswerDaily",
    "FactAnswerChannelDaily",
    "FactAnswerMonthly",
    "FactAnswerPairDaily",
    "FactInvitationDaily",
    "FactWatermark",
    "FollowUp",
    "FollowUpNote",
    "FollowUpPolicy",
    "Invitation",
    "InvitationStatus",
    "InvitationTransition",
    "OptOut",
    "Program",
    "Question",
    "Questionnaire",
    "QuestionnaireVersion",
    "Report",
    "ReportStatus",
    "Response",
    "Role",
    "RuleQuotaUsage",
    "SeenSignature",
    "SignInThrottle",
    "ThemeAction",
    "User",
    "WalkInHour",
    "WalkInPoint",
]
