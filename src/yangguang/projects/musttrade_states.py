"""Statuses and allowed moves of must-trade enforcement (应进必进): exemption requests, post-trade reports,
investigations and violations. One table of moves per workflow."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from yangguang.core.states import TransitionTable


class ExemptionStatus(models.TextChoices):
    SECTION_REVIEW = "section_review", _("Awaiting the department's section review")
    LEADER_APPROVAL = "leader_approval", _("Awaiting the department leader's approval")
    COMMITTEE_APPROVAL = "committee_approval", _("Awaiting the committee office's approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# The three approvals in order (一事一审一批): the step that an open request waits for.
class ApprovalStep(models.TextChoices):
    SECTION_REVIEW = "section_review", _("Section review (competent department)")
    LEADER_APPROVAL = "leader_approval", _("Leader approval (competent department)")
    COMMITTEE_APPROVAL = "committee_approval", _("Committee office approval")


STEP_OF_STATUS = {
    ExemptionStatus.SECTION_REVIEW: ApprovalStep.SECTION_REVIEW,
    ExemptionStatus.LEADER_APPROVAL: ApprovalStep.LEADER_APPROVAL,
    ExemptionStatus.COMMITTEE_APPROVAL: ApprovalStep.COMMITTEE_APPROVAL,
}
OPEN_EXEMPTION_STATUSES = frozenset(STEP_OF_STATUS)

EXEMPTION_MOVES = TransitionTable({
    "section_approve": ([ExemptionStatus.SECTION_REVIEW], ExemptionStatus.LEADER_APPROVAL),
    "leader_approve": ([ExemptionStatus.LEADER_APPROVAL], ExemptionStatus.COMMITTEE_APPROVAL),
    "committee_approve": ([ExemptionStatus.COMMITTEE_APPROVAL], ExemptionStatus.APPROVED),
    "reject": (list(OPEN_EXEMPTION_STATUSES), ExemptionStatus.REJECTED),
})
APPROVE_STEP = {
    ApprovalStep.SECTION_REVIEW: "section_approve",
    ApprovalStep.LEADER_APPROVAL: "leader_approve",
    ApprovalStep.COMMITTEE_APPROVAL: "committee_approve",
}


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    REVIEWED = "reviewed", _("Reviewed, to be published")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


REPORT_MOVES = TransitionTable({
    "review": ([ReportStatus.SUBMITTED], ReportStatus.REVIEWED),
    "publish": ([ReportStatus.REVIEWED], ReportStatus.PUBLISHED),
    "archive": ([ReportStatus.PUBLISHED], ReportStatus.ARCHIVED),
})


class InvestigationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("Under investigation")
    CLOSED = "closed", _("Closed")


class InvestigationOutcome(models.TextChoices):
    NO_ISSUE = "no_issue", _("No irregularity found")
    CORRECTED = "corrected", _("Irregularity corrected")
    VIOLATION = "violation", _("Violation: referred to discipline inspection")


INVESTIGATION_MOVES = TransitionTable({
    "assign": ([InvestigationStatus.OPEN, InvestigationStatus.IN_PROGRESS], InvestigationStatus.IN_PROGRESS),
    "record_findings": ([InvestigationStatus.IN_PROGRESS], InvestigationStatus.IN_PROGRESS),
    "close": ([InvestigationStatus.IN_PROGRESS], InvestigationStatus.CLOSED),
})


class AnomalyKind(models.TextChoices):
    PRICE_ABOVE_BUDGET = "price_above_budget", _("Price far above the budget")
    BLACKLISTED_SUPPLIER = "blacklisted_supplier", _("Supplier on the blacklist")
    SPLIT_UNDER_THRESHOLD = "split_under_threshold", _("Split into contracts just under the threshold")


class ViolationKind(models.TextChoices):
    NOT_TRADED = "not_traded", _("Must-trade project not traded on the platform")
    OUTSIDE_WITHOUT_APPROVAL = "outside_without_approval", _("Traded outside the platform without approval")
    REPORT_OVERDUE = "report_overdue", _("Post-trade report late or missing")
    ESCAPED = "escaped", _("Catalogue project never entered on the platform")
    INVESTIGATION = "investigation", _("Irregularity confirmed by an investigation")


# Violations that stop project funds (the funding check denies while one is referred or closed).
FUNDING_BLOCKING_KINDS = frozenset({ViolationKind.NOT_TRADED, ViolationKind.OUTSIDE_WITHOUT_APPROVAL,
                                    ViolationKind.INVESTIGATION})


class ViolationStatus(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected, to be confirmed")
    REFERRED = "referred", _("Referred to discipline inspection")
    DISMISSED = "dismissed", _("Dismissed")
    CLOSED = "closed", _("Closed by discipline inspection")


VIOLATION_MOVES = TransitionTable({
    "refer": ([ViolationStatus.SUSPECTED], ViolationStatus.REFERRED),
    "dismiss": ([ViolationStatus.SUSPECTED], ViolationStatus.DISMISSED),
    "close": ([ViolationStatus.REFERRED], ViolationStatus.CLOSED),
})


class Decision(models.TextChoices):
    """The funding check's answer."""

    ALLOW = "allow", _("Allow")
    DENY = "deny", _("Deny")
    PENDING = "pending", _("Pending")


class EntryMatch(models.TextChoices):
    PROJECT = "project", _("Entered on the platform")
    EXEMPTION = "exemption", _("Exempted (approved)")
    NOT_MUST_TRADE = "not_must_trade", _("Not in the must-trade catalogue")
    UNMATCHED = "unmatched", _("Not found: suspected violation")


STEP_NAMES = [gettext_noop("section_approve"), gettext_noop("leader_approve"), gettext_noop("committee_approve"),
              gettext_noop("reject"), gettext_noop("review"), gettext_noop("publish"),
              gettext_noop("archive"), gettext_noop("assign"), gettext_noop("record_findings"), gettext_noop("close"),
              gettext_noop("refer"), gettext_noop("dismiss")]
