"""The supplier pool (供应商库): a profile per supplier organisation, its qualifications and blacklist periods."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import CreditStatus, SupplierStatus, SupplyClass


class SupplierProfile(models.Model):
    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.PROTECT,
                                        related_name="supplier_profile", verbose_name=_("organisation"))
    primary_class = models.CharField(_("main supply class"), max_length=10, choices=SupplyClass.choices,
                                     db_index=True)
    classes = models.JSONField(_("supply classes"), default=list, help_text="subset of SupplyClass values")
    legal_representative = models.CharField(_("legal representative"), max_length=40)
    registered_capital = models.DecimalField(_("registered capital (10,000 yuan)"), max_digits=14,
                                             decimal_places=2)
    address = models.CharField(_("address"), max_length=200)
    business_scope = models.TextField(_("business scope"))
    status = models.CharField(_("status"), max_length=12, choices=SupplierStatus.choices,
                              default=SupplierStatus.SUBMITTED, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    review_reason = models.TextField(_("review reason"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    credit_status = models.CharField(_("credit status"), max_length=12, choices=CreditStatus.choices,
                                     default=CreditStatus.GOOD)
    # The chronograph's index: the next blacklist end or qualification expiry of this supplier.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Client-supplied key of the registration request, so a retried registration returns the same result.
    idempotency_key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="supplier_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    def class_labels(self) -> list[str]:
        return [str(SupplyClass(c).label) for c in self.classes if c in SupplyClass.values]


class Qualification(models.Model):
    supplier = models.ForeignKey(SupplierProfile, on_delete=models.PROTECT, related_name="qualifications",
                                 verbose_name=_("supplier"))
    name = models.CharField(_("qualification"), max_length=120)
    certificate_number = models.CharField(_("certificate number"), max_length=60)
    issuer = models.CharField(_("issued by"), max_length=120)
    valid_until = models.DateField(_("valid until"))
    document_path = models.CharField(_("document"), max_length=200)
    document_sha256 = models.CharField(_("document SHA-256"), max_length=64)
    expired_at = models.DateTimeField(_("flagged expired at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["valid_until", "pk"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self) -> str:
        return self.name


class BlacklistEntry(models.Model):
    supplier = models.ForeignKey(SupplierProfile, on_delete=models.PROTECT, related_name="blacklist_entries",
                                 verbose_name=_("supplier"))
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")

    def __str__(self) -> str:
        return f"{self.supplier} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"
