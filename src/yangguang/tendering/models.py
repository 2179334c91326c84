"""Procedures up to the bid deadline: lots, tender documents, invitations, registrations and downloads
(secret until the deadline), questions and clarifications, bid securities and holds.

Times come in two forms. The *legal* timeline (``documents_until``, ``bid_deadline`` …) is what the rules are
checked against and what notices state. The *effective* timeline (``effective_*``) is what the chronograph
and request handlers act on: the same as the legal one, or — in the fast sandbox — each duration compressed
from ``time_origin`` to ``YANGGUANG_SANDBOX_SECONDS_PER_DAY`` seconds per day (see :mod:`.timeline`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .presets import METHOD_CHOICES
from .states import LotStatus, ProcedureStatus, SecurityKind


class Procedure(models.Model):
    code = models.CharField(_("procedure number"), max_length=40, blank=True)
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="procedures",
                                verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=200)
    method = models.CharField(_("method"), max_length=40, choices=METHOD_CHOICES)
    status = models.CharField(_("status"), max_length=20, choices=ProcedureStatus.choices,
                              default=ProcedureStatus.DRAFT, db_index=True)
    description = models.TextField(_("scope and requirements"), blank=True)
    qualification_requirements = models.TextField(_("qualification requirements"))
    evaluation_method = models.CharField(_("evaluation method"), max_length=40)
    # [{"name": "价格", "weight": "40", "kind": "price"|"technical"|"commercial"|"pass_fail"}]: the evaluation
    # issue scores against exactly this list.
    evaluation_criteria = models.JSONField(_("evaluation criteria"), default=list, blank=True)
    # Method-specific texts, e.g. a single source's reason and expert opinion (GPLR 第38条).
    extra = models.JSONField(default=dict, blank=True)
    accepts_consortium = models.BooleanField(_("consortium bids accepted"), default=False)
    place = models.CharField(_("place of performance"), max_length=200, blank=True)
    # Planned periods (days in the unit of the method's rule); the dates are computed at publishing.
    document_days = models.PositiveSmallIntegerField(_("document period (days)"), null=True, blank=True)
    bid_days = models.PositiveSmallIntegerField(_("bid period (days)"), null=True, blank=True)
    # Legal timeline, set at publishing.
    time_origin = models.DateTimeField(_("documents issued from"), null=True, blank=True)
    notice_until = models.DateTimeField(_("notice period ends"), null=True, blank=True)
    documents_until = models.DateTimeField(_("documents available until"), null=True, blank=True)
    bid_deadline = models.DateTimeField(_("bid deadline and opening"), null=True, blank=True)
    # Effective timeline (compressed in the sandbox).
    sandbox = models.BooleanField(_("sandbox timeline"), default=False)
    effective_notice_until = models.DateTimeField(null=True, blank=True)
    effective_documents_until = models.DateTimeField(null=True, blank=True)
    effective_bid_deadline = models.DateTimeField(null=True, blank=True)
    notice_period_closed_at = models.DateTimeField(null=True, blank=True)
    documents_closed_at = models.DateTimeField(null=True, blank=True)
    bidding_closed_at = models.DateTimeField(_("bidding closed at"), null=True, blank=True)
    notice_id = models.BigIntegerField(null=True, blank=True, help_text="the tender / publicity notice")
    failure_notice_id = models.BigIntegerField(null=True, blank=True)
    termination_notice_id = models.BigIntegerField(null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    failure_ground = models.TextField(_("ground of failure"), blank=True)
    retender_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="retenders", verbose_name=_("re-tender of"))
    warnings = models.JSONField(default=list, blank=True, help_text="unconfirmed-rule findings at publishing")
    held = models.BooleanField(_("on hold"), default=False)
    # The chronograph's index: the next effective time at which a step may fall due (None: nothing to do).
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="procedure_code_unique"),
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="procedure_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}" if self.code else self.title

    @property
    def preset(self):  # type: ignore[no-untyped-def]
        from .presets import PRESETS

        return PRESETS[self.method]


class Lot(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("lot number"))
    name = models.CharField(_("lot name"), max_length=200)
    budget = models.DecimalField(_("budget / estimate (yuan)"), max_digits=16, decimal_places=2)
    ceiling_price = models.DecimalField(_("ceiling price (yuan)"), max_digits=16, decimal_places=2, null=True,
                                        blank=True)
    bid_security = models.DecimalField(_("bid security (yuan)"), max_digits=14, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=20, choices=LotStatus.choices, default=LotStatus.OPEN)

    class Meta:
        ordering = ["procedure", "number"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="lot_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class TenderDocument(models.Model):
    """A version of the tender documents. Versions are never changed; an amendment adds a version."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="documents")
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("file name"), max_length=200)
    path = models.CharField(max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["procedure", "version"]
        verbose_name = _("tender document")
        constraints = [models.UniqueConstraint(fields=["procedure", "version"], name="document_version_unique")]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"


class Invitation(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["procedure", "organisation"], name="invitation_unique")]

    def __str__(self) -> str:
        return f"invitation {self.pk}"



class Registration(models.Model):
    """网上报名 for one lot. SECRET before the bid deadline (招标投标法 第22条): read only through
    :mod:`.access` / :func:`.selectors.registered_bidders`."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="registrations")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField()
    # Public token and salted commitment written to the public log instead of lot and bidder.
    token = models.CharField(max_length=32, unique=True)
    salt = models.CharField(max_length=32)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["lot", "organisation"], name="registration_unique")]

    def __str__(self) -> str:
        return f"registration {self.token}"



class DocumentDownload(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="downloads")
    document = models.ForeignKey(TenderDocument, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"download {self.pk}"



class Clarification(models.Model):
    """An answer or amendment (澄清/修改) sent to every registered bidder and published as a notice."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="clarifications")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(_("clarification"))
    affects_preparation = models.BooleanField(_("affects the preparation of bids"), default=False)
    document = models.ForeignKey(TenderDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    old_bid_deadline = models.DateTimeField(null=True, blank=True)
    new_bid_deadline = models.DateTimeField(null=True, blank=True)
    postponed_by_rule = models.CharField(max_length=10, blank=True)
    notice_id = models.BigIntegerField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["procedure", "number"]
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="clarification_number_unique")]

    def __str__(self) -> str:
        return f"clarification {self.number}"



class ClarificationDelivery(models.Model):
    clarification = models.ForeignKey(Clarification, on_delete=models.CASCADE, related_name="deliveries")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="deliveries")
    delivered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clarification", "registration"], name="delivery_unique")]

    def __str__(self) -> str:
        return f"delivery {self.pk}"



class Question(models.Model):
    """Asked anonymously: the asker is stored for the asker's own page only, never shown to anyone else."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="questions")
    asker = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("question"))
    asked_at = models.DateTimeField()
    answer = models.ForeignKey(Clarification, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="questions")

    class Meta:
        ordering = ["procedure", "pk"]

    def __str__(self) -> str:
        return f"question {self.pk}"



class BidSecurity(models.Model):
    """投标保证金 of one bidder for one lot: a bank notification or an electronic guarantee. Secret like the
    registration before the deadline."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="securities")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=SecurityKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    reference = models.CharField(max_length=80, help_text="bank transaction id or guarantee number")
    payer_account = models.CharField(max_length=40, blank=True)
    issuer = models.CharField(max_length=120, blank=True)
    received_at = models.DateTimeField()
    # Same payer account as another bidder's security in this procedure (招标投标法实施条例 第40条(六)).
    same_account_flag = models.BooleanField(default=False)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_reference = models.CharField(max_length=80, blank=True)
    token = models.CharField(max_length=32, unique=True)
    salt = models.CharField(max_length=32)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "reference"], name="security_reference_unique")]
        indexes = [models.Index(fields=["lot", "payer_account"], name="security_payer_idx")]

    def __str__(self) -> str:
        return f"security {self.token}"



class Hold(models.Model):
    """A pause of the time-driven steps (e.g. a complaint); the procedure's steps wait while any is open."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="holds")
    reason = models.TextField()
    held_by = models.CharField(max_length=40)
    held_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"hold {self.pk}"
