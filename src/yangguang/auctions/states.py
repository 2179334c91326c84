"""Statuses of a lot, of a bidder's registration and of a deposit, and their tables of allowed moves.

A lot moves: draft → announced (notice published, applications open) → listing (挂牌 offers) and/or live
(timed bidding; English, reverse and sealed variants go live directly) → sold or failed (流拍), set by the
chronograph under the lot's row lock, so a sale ends once. Publishing the result is a separate staff step
(result notice, deal confirmation, deposits released) that leaves the status as it is.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from yangguang.core.states import TransitionTable


class Variant(models.TextChoices):
    LAND_LISTING = "land_listing", _("Land listing (挂牌) with a timed session")
    ENGLISH = "english", _("English auction (拍卖)")
    ASSET_MULTI_ROUND = "asset_multi_round", _("Asset transfer: multi-round online bidding")
    ASSET_SEALED = "asset_sealed", _("Asset transfer: one-shot sealed offer")
    REVERSE = "reverse", _("Reverse auction (反向竞价)")


class LotStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ANNOUNCED = "announced", _("Announced, applications open")
    LISTING = "listing", _("Listing period (offers)")
    LIVE = "live", _("Live bidding")
    SOLD = "sold", _("Sold")
    FAILED = "failed", _("Failed (no valid bid)")


BIDDING_STATUSES = frozenset({LotStatus.LISTING, LotStatus.LIVE})
ENDED_STATUSES = frozenset({LotStatus.SOLD, LotStatus.FAILED})


class RegistrationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, deposit awaited")
    DEPOSIT_PAID = "deposit_paid", _("Deposit received, awaiting approval")
    QUALIFIED = "qualified", _("Qualified bidder")
    REJECTED = "rejected", _("Rejected")


class DepositStatus(models.TextChoices):
    AWAITED = "awaited", _("Awaited")
    HELD = "held", _("Held")
    RELEASED = "released", _("Released to the bidder")
    CONVERTED = "converted", _("Converted to the earnest money of the winner")


STEP_ANNOUNCE = gettext_noop("announce")
STEP_OPEN_LISTING = gettext_noop("open the listing")
STEP_GO_LIVE = gettext_noop("start live bidding")
STEP_SELL = gettext_noop("sell")
STEP_FAIL = gettext_noop("declare failed")

LOT_MOVES = TransitionTable({
    STEP_ANNOUNCE: ([LotStatus.DRAFT], LotStatus.ANNOUNCED),
    STEP_OPEN_LISTING: ([LotStatus.ANNOUNCED], LotStatus.LISTING),
    STEP_GO_LIVE: ([LotStatus.ANNOUNCED, LotStatus.LISTING], LotStatus.LIVE),
    STEP_SELL: ([LotStatus.LISTING, LotStatus.LIVE], LotStatus.SOLD),
    STEP_FAIL: ([LotStatus.ANNOUNCED, LotStatus.LISTING, LotStatus.LIVE], LotStatus.FAILED),
})

STEP_PAY = gettext_noop("confirm the deposit")
STEP_APPROVE = gettext_noop("approve")
STEP_REJECT = gettext_noop("reject")

REGISTRATION_MOVES = TransitionTable({
    STEP_PAY: ([RegistrationStatus.APPLIED], RegistrationStatus.DEPOSIT_PAID),
    STEP_APPROVE: ([RegistrationStatus.DEPOSIT_PAID], RegistrationStatus.QUALIFIED),
    STEP_REJECT: ([RegistrationStatus.APPLIED, RegistrationStatus.DEPOSIT_PAID], RegistrationStatus.REJECTED),
})
