"""Evaluation statuses, member kinds, review kinds and the table of allowed moves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop, pgettext_lazy

from yangguang.core.states import TransitionTable


class EvaluationStatus(models.TextChoices):
    PREPARING = "preparing", pgettext_lazy("evaluation", "Committee forming")
    IN_SESSION = "in_session", pgettext_lazy("evaluation", "In session: reviews")
    SCORING = "scoring", pgettext_lazy("evaluation", "Scoring")
    REPORT_SIGNING = "report_signing", pgettext_lazy("evaluation", "Report awaiting signatures")
    REPORTED = "reported", pgettext_lazy("evaluation", "Report signed")
    PUBLICITY = "publicity", pgettext_lazy("evaluation", "Result published, objection window")
    AWARDED = "awarded", pgettext_lazy("evaluation", "Awarded")
    CONTRACTED = "contracted", pgettext_lazy("evaluation", "Contract signed")
    FAILED = "failed", pgettext_lazy("evaluation", "Failed")


class MemberKind(models.TextChoices):
    EXPERT = "expert", pgettext_lazy("evaluation", "Expert")
    PURCHASER_REP = "purchaser_rep", pgettext_lazy("evaluation", "Purchaser's representative")


class MemberState(models.TextChoices):
    SEATED = "seated", pgettext_lazy("evaluation", "Seated")
    REPLACED = "replaced", pgettext_lazy("evaluation", "Withdrawn and replaced")


class ReviewKind(models.TextChoices):
    QUALIFICATION = "qualification", pgettext_lazy("evaluation", "Qualification")
    COMPLIANCE = "compliance", pgettext_lazy("evaluation", "Compliance")


class AmendmentGround(models.TextChoices):
    """The only four grounds on which a score may change after the summary (M87 第64条, rule P-031)."""

    SUM_ERROR = "sum_error", pgettext_lazy("evaluation", "Error in adding up the scores")
    OUT_OF_RANGE = "out_of_range", pgettext_lazy("evaluation", "A score outside the item's range")
    OBJECTIVE_MISMATCH = "objective_mismatch", pgettext_lazy("evaluation", "Objective score inconsistent")
    OUTLIER = "outlier", pgettext_lazy("evaluation", "Score obviously too high or too low")


class CandidateGround(models.TextChoices):
    """Why a ranked candidate leaves the award path (G-035: 放弃中标、不能履行合同、未按要求提交履约保证金;
    G-036: the original committee's re-check finds it no longer fit, e.g. blacklisted since the bid)."""

    GAVE_UP = "gave_up", pgettext_lazy("evaluation", "Gave up the award")
    CANNOT_PERFORM = "cannot_perform", pgettext_lazy("evaluation", "Cannot perform the contract")
    NO_PERFORMANCE_BOND = "no_bond", pgettext_lazy("evaluation", "No performance security as required")
    RECHECK_FAILED = "recheck_failed", pgettext_lazy("evaluation", "Failed the committee's re-check")


# The qualification and compliance checklist every bid is reviewed against (the procedure may add items).
DEFAULT_CHECKLIST: tuple[tuple[str, str, str], ...] = (
    ("licence", ReviewKind.QUALIFICATION, gettext_noop("Business licence and required qualification")),
    ("security", ReviewKind.QUALIFICATION, gettext_noop("Bid security received")),
    ("signature", ReviewKind.COMPLIANCE, gettext_noop("Bid signed and sealed")),
    ("price_ceiling", ReviewKind.COMPLIANCE, gettext_noop("Price within the ceiling price")),
    ("substantive", ReviewKind.COMPLIANCE, gettext_noop("Responds to every substantive requirement")),
)

STEP_START = gettext_noop("start the evaluation")
STEP_SCORING = gettext_noop("open the scoring")
STEP_REPORT = gettext_noop("generate the report")
STEP_REPORTED = gettext_noop("complete the signatures")
STEP_PUBLISH = gettext_noop("publish the result")
STEP_AWARD = gettext_noop("confirm the award")
STEP_CONTRACT = gettext_noop("record the contract")
STEP_FAIL = gettext_noop("declare the evaluation failed")
STEP_REAWARD = gettext_noop("withdraw the award from a candidate who gave up")
STEP_RETENDER = gettext_noop("end the evaluation for a new tender")

S = EvaluationStatus
EVALUATION_MOVES = TransitionTable({
    STEP_START: ([S.PREPARING], S.IN_SESSION),
    STEP_SCORING: ([S.IN_SESSION], S.SCORING),
    STEP_REPORT: ([S.SCORING], S.REPORT_SIGNING),
    STEP_REPORTED: ([S.REPORT_SIGNING], S.REPORTED),
    STEP_PUBLISH: ([S.REPORTED], S.PUBLICITY),
    STEP_AWARD: ([S.PUBLICITY], S.AWARDED),
    STEP_CONTRACT: ([S.AWARDED], S.CONTRACTED),
    STEP_FAIL: ([S.PREPARING, S.IN_SESSION, S.SCORING], S.FAILED),
    STEP_REAWARD: ([S.AWARDED], S.PUBLICITY),
    STEP_RETENDER: ([S.REPORTED, S.PUBLICITY, S.AWARDED], S.FAILED),
})

# Steps a committee works in (members may act), and the statuses after the committee has finished.
COMMITTEE_STATUSES = frozenset({S.PREPARING, S.IN_SESSION, S.SCORING, S.REPORT_SIGNING})
AFTER_REPORT = frozenset({S.REPORTED, S.PUBLICITY, S.AWARDED, S.CONTRACTED})
