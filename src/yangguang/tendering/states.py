"""Procedure and lot statuses, and the one table of allowed moves.

draft ──publish──► published ──(bid deadline, chronograph)──► ready_for_opening   (the bidding app opens)
                        │                                 └──► failed             (too few registrations)
                        └──terminate──► terminated
A procedure on hold (a complaint) keeps its status; its time-driven steps wait until the hold is released.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from yangguang.core.states import TransitionTable


class ProcedureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Open for bidding")
    READY_FOR_OPENING = "ready_for_opening", _("Bids closed, ready for opening")
    FAILED = "failed", _("Failed (too few bidders)")
    TERMINATED = "terminated", _("Terminated")


class LotStatus(models.TextChoices):
    OPEN = "open", _("Open for bids")
    READY_FOR_OPENING = "ready_for_opening", _("Ready for opening")
    FAILED = "failed", _("Failed")


class SecurityKind(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer to the centre's sub-account")
    ELECTRONIC_GUARANTEE = "electronic_guarantee", _("Electronic guarantee (电子保函)")


STEP_PUBLISH = gettext_noop("publish")
STEP_CHANGE = gettext_noop("change")
STEP_CLOSE_BIDDING = gettext_noop("close bidding")
STEP_FAIL = gettext_noop("fail")
STEP_TERMINATE = gettext_noop("terminate")
STEP_REGISTER = gettext_noop("register")
STEP_CLARIFY = gettext_noop("clarify")
STEP_RETENDER = gettext_noop("re-tender")
STEP_FAIL_AT_OPENING = gettext_noop("fail at opening")

OPEN = [ProcedureStatus.PUBLISHED]
PROCEDURE_MOVES = TransitionTable({
    STEP_CHANGE: ([ProcedureStatus.DRAFT], ProcedureStatus.DRAFT),
    STEP_PUBLISH: ([ProcedureStatus.DRAFT], ProcedureStatus.PUBLISHED),
    STEP_REGISTER: (OPEN, ProcedureStatus.PUBLISHED),
    STEP_CLARIFY: (OPEN, ProcedureStatus.PUBLISHED),
    STEP_CLOSE_BIDDING: (OPEN, ProcedureStatus.READY_FOR_OPENING),
    STEP_FAIL: (OPEN, ProcedureStatus.FAILED),
    # The bidding app, at the deadline: fewer sealed bids than the method requires in every lot.
    STEP_FAIL_AT_OPENING: ([ProcedureStatus.READY_FOR_OPENING], ProcedureStatus.FAILED),
    STEP_TERMINATE: ([ProcedureStatus.DRAFT, ProcedureStatus.PUBLISHED, ProcedureStatus.READY_FOR_OPENING],
                     ProcedureStatus.TERMINATED),
})

# A failed or terminated procedure may be re-tendered (重新招标) as a new, linked procedure.
RETENDER_FROM = frozenset({ProcedureStatus.FAILED, ProcedureStatus.TERMINATED})

# Before the bid deadline (= the opening time) who registered is secret (招标投标法 第22条).
SECRET_STATUSES = frozenset({ProcedureStatus.DRAFT, ProcedureStatus.PUBLISHED})
