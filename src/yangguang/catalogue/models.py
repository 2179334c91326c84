"""The trading catalogue (公共资源交易目录): category → type → item, versioned and scoped by region.

A version belongs to a region (the city's version applies to its counties unless a county has its own
version in force). Only one version per region is in force at a time; earlier versions stay for the
record, since a project is always judged against the version in force when it was registered.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import Category, VersionStatus


class CatalogueVersion(models.Model):
    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT, related_name="catalogue_versions",
                               verbose_name=_("region"))
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["region__code", "-number"]
        verbose_name = _("catalogue version")
        constraints = [
            models.UniqueConstraint(fields=["region", "number"], name="catalogue_version_number_unique"),
            models.UniqueConstraint(fields=["region"], condition=models.Q(status="active"),
                                    name="catalogue_one_active_version_per_region"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class CatalogueType(models.Model):
    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="types")
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "code"]
        verbose_name = _("catalogue type")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="catalogue_type_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CatalogueItem(models.Model):
    """One line of the catalogue with its must-trade rule.

    The project must be traded on the platform when its funding includes one of ``funding_sources``
    (empty = any source) and its budget is at least ``threshold`` yuan (null = any amount). ``rule_code``
    names the rule in rules.md that the threshold comes from (e.g. G-003)."""

    type = models.ForeignKey(CatalogueType, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    funding_sources = models.JSONField(_("funding sources in scope"), default=list, blank=True)
    threshold = models.DecimalField(_("threshold (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True)
    rule_code = models.CharField(_("rule"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["type", "position", "code"]
        verbose_name = _("catalogue item")
        constraints = [models.UniqueConstraint(fields=["type", "code"], name="catalogue_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def threshold_or_zero(self) -> Decimal:
        return self.threshold or Decimal("0")
