"""Lots for sale (a land parcel, a state asset) or for reverse bidding (a procurement), bidder registrations,
bids and the bank's deposit notifications.

The lot row is the single point of truth of a running sale: its current price, leader, bid count and
countdown end are read and written only under its row lock (``select_for_update``), so every accepted bid
is compared with the state the previous accepted bid left. The reserve price is a column that no page, API
answer or event payload shows before the lot has ended (see ``access.py``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import DepositStatus, LotStatus, RegistrationStatus, Variant

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}


class Lot(models.Model):
    code = models.CharField(_("lot number"), max_length=40, unique=True)
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="auction_lots",
                                verbose_name=_("project"))
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("region"))
    variant = models.CharField(_("bidding method"), max_length=24, choices=Variant.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("bidder eligibility"), blank=True)
    details = models.JSONField(_("notice fields"), default=dict, blank=True,
                               help_text="the facts the sale notice must state (notices registry keys)")
    starting_price = models.DecimalField(_("starting price (yuan)"), **MONEY)
    reserve_price = models.DecimalField(_("reserve price (yuan, secret)"), null=True, blank=True, **MONEY)
    increment = models.DecimalField(_("increment / decrement (yuan)"), **MONEY)
    deposit = models.DecimalField(_("bid deposit (yuan)"), **MONEY)
    listing_starts_at = models.DateTimeField(_("bidding starts"))
    listing_ends_at = models.DateTimeField(_("listing / bidding period ends"))
    countdown_seconds = models.PositiveIntegerField(_("countdown (seconds)"), default=300)
    status = models.CharField(_("status"), max_length=12, choices=LotStatus.choices, default=LotStatus.DRAFT,
                              db_index=True)
    # Running state, changed only under the row lock.
    current_price = models.DecimalField(_("current price"), null=True, blank=True, **MONEY)
    leader = models.ForeignKey("Registration", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bid_count = models.PositiveIntegerField(default=0)
    last_bid_at = models.DateTimeField(null=True, blank=True)
    countdown_ends_at = models.DateTimeField(_("countdown ends"), null=True, blank=True)
    live_started_at = models.DateTimeField(null=True, blank=True)
    # Outcome.
    concluded_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    final_price = models.DecimalField(_("final price"), null=True, blank=True, **MONEY)
    winner = models.ForeignKey("Registration", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    failure_reason = models.CharField(_("reason for failure"), max_length=40, blank=True)
    announce_notice = models.CharField(_("sale notice"), max_length=40, blank=True)
    result_notice = models.CharField(_("result notice"), max_length=40, blank=True)
    result_published_at = models.DateTimeField(_("result published at"), null=True, blank=True)
    rule_warnings = models.JSONField(default=list, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-listing_starts_at", "-pk"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def group(self) -> str:
        """The channel-layer group of the lot's live room."""
        return f"auction.lot.{self.pk}"


class Registration(models.Model):
    """A prospective buyer's (or, in a reverse auction, supplier's) application to bid on one lot."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="registrations")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=14, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.APPLIED)
    # The reference the bidder quotes when paying the deposit; the bank notification names it.
    deposit_ref = models.CharField(_("deposit reference"), max_length=24, unique=True)
    deposit_status = models.CharField(_("deposit"), max_length=10, choices=DepositStatus.choices,
                                      default=DepositStatus.AWAITED)
    deposit_paid = models.DecimalField(_("deposit paid"), null=True, blank=True, **MONEY)
    deposit_refund_due = models.DateTimeField(_("deposit refund due"), null=True, blank=True)
    # Secret: shown to the bidder itself only, never to staff, the seller or other bidders.
    bidding_number = models.CharField(_("bidding number"), max_length=8, blank=True)
    live_requested = models.BooleanField(_("asked to continue in the timed session"), default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "organisation"], name="auction_registration_unique"),
            models.UniqueConstraint(fields=["lot", "bidding_number"], condition=~models.Q(bidding_number=""),
                                    name="auction_bidding_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.lot.code} #{self.pk}"


class Bid(models.Model):
    """Every bid attempt of a qualified bidder with its outcome; the idempotency key makes a retry return
    the first outcome. Accepted bids carry the lot's sequence number and the countdown end they set."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="bids")
    number = models.CharField(max_length=8)
    amount = models.DecimalField(**MONEY)
    idempotency_key = models.CharField(max_length=64)
    accepted = models.BooleanField(default=False)
    seq = models.PositiveIntegerField(null=True, blank=True)  # 1, 2, … among accepted bids of the lot
    refusal_code = models.CharField(max_length=40, blank=True)
    limit = models.DecimalField(null=True, blank=True, **MONEY)  # the minimum (maximum) at refusal
    received_at = models.DateTimeField()
    placed_at = models.DateTimeField(null=True, blank=True)
    countdown_ends_at = models.DateTimeField(null=True, blank=True)
    nonce = models.CharField(max_length=32, blank=True)  # sealed offers: commitment = sha256(amount|nonce)

    class Meta:
        ordering = ["lot", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "idempotency_key"], name="auction_bid_key_unique"),
            models.UniqueConstraint(fields=["lot", "seq"], condition=models.Q(seq__isnull=False),
                                    name="auction_bid_seq_unique"),
        ]
        indexes = [models.Index(fields=["lot", "accepted", "seq"], name="auction_bid_lot_seq_idx")]

    def __str__(self) -> str:
        return f"{self.lot_id}#{self.seq or '-'} {self.amount}"


class DepositNotification(models.Model):
    """A bank's signed notification that a deposit arrived; its id makes a retried notification idempotent."""

    notification_id = models.CharField(max_length=64, unique=True)
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="deposit_notifications")
    amount = models.DecimalField(**MONEY)
    outcome = models.CharField(max_length=40)
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.notification_id
