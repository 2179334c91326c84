"""Statuses of bids, uploads, opening keys and openings, and the one table of allowed moves.

Bid:      draft ──submit──► submitted ──(deadline)──► (opening) ──► opened | decrypt_failed ──remedy──► opened
              │                 │                                            └──revoke──► revoked
              │                 ├──withdraw──► withdrawn
              │                 └──replace───► replaced (a new version is submitted)
Opening:  open (hall, decryption window) ──close record──► concluded ;  failed (too few bids)
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from yangguang.core.states import TransitionTable


class BidStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REPLACED = "replaced", _("Replaced by a later version")
    OPENED = "opened", _("Opened")
    DECRYPT_FAILED = "decrypt_failed", _("Decryption failed")
    REVOKED = "revoked", _("Revoked (deemed withdrawn)")


class FailureCause(models.TextChoices):
    BIDDER = "bidder", _("Bidder side (key not handed over or wrong)")
    PLATFORM = "platform", _("Platform side (stored file differs from the receipt)")
    MALFORMED = "malformed", _("Malformed file (fails on both paths)")


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", _("Receiving")
    COMPLETE = "complete", _("Complete")


class OpeningStatus(models.TextChoices):
    OPEN = "open", _("Opening in progress")
    CONCLUDED = "concluded", _("Opening record closed")
    FAILED = "failed", _("Failed (too few bids)")


STEP_SUBMIT = gettext_noop("submit")
STEP_WITHDRAW = gettext_noop("withdraw")
STEP_REPLACE = gettext_noop("replace")
STEP_OPEN = gettext_noop("open")
STEP_FAIL_DECRYPT = gettext_noop("record a failed decryption")
STEP_REMEDY = gettext_noop("open by the remedy path")
STEP_REVOKE = gettext_noop("revoke")
STEP_DEEM_WITHDRAWN = gettext_noop("deem withdrawn")

BID_MOVES = TransitionTable({
    STEP_SUBMIT: ([BidStatus.DRAFT], BidStatus.SUBMITTED),
    STEP_WITHDRAW: ([BidStatus.SUBMITTED], BidStatus.WITHDRAWN),
    STEP_REPLACE: ([BidStatus.SUBMITTED], BidStatus.REPLACED),
    STEP_OPEN: ([BidStatus.SUBMITTED, BidStatus.DECRYPT_FAILED], BidStatus.OPENED),
    STEP_FAIL_DECRYPT: ([BidStatus.SUBMITTED, BidStatus.DECRYPT_FAILED], BidStatus.DECRYPT_FAILED),
    STEP_REMEDY: ([BidStatus.DECRYPT_FAILED, BidStatus.SUBMITTED], BidStatus.OPENED),
    STEP_REVOKE: ([BidStatus.DECRYPT_FAILED, BidStatus.SUBMITTED, BidStatus.OPENED], BidStatus.REVOKED),
    STEP_DEEM_WITHDRAWN: ([BidStatus.DECRYPT_FAILED], BidStatus.WITHDRAWN),
})

# Who opened a bid (``Bid.decrypted_by``), as the record reads it.
DECRYPTED_BY_LABELS = {
    "bidder": pgettext_lazy("decrypted by", "bidder"),
    "remedy": pgettext_lazy("decrypted by", "remedy"),
}


def decryption_format() -> str:
    """The format of "<status> (<who>)" in the active language (full-width brackets in Chinese)."""
    return gettext("%(status)s (%(by)s)")


def decryption_text(status_label: str, decrypted_by: str) -> str:
    """The record's decryption column: the bid's status and, once opened, by whom (bidder / remedy path)."""
    by = DECRYPTED_BY_LABELS.get(decrypted_by)
    if by is None:
        return status_label
    return decryption_format() % {"status": status_label, "by": by}


# Bids that take part in the opening.
LIVE_STATUSES = frozenset({BidStatus.SUBMITTED, BidStatus.OPENED, BidStatus.DECRYPT_FAILED})
