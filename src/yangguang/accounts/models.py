"""Regions, trading centres, organisations and users.

A user holds exactly one role; a person with two duties (say, centre staff and platform administrator)
has two accounts, as with the per-role CA certificates Chinese platforms issue. What a user may see and do
follows from role, organisation and the organisation's region (see ``access.py``).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import Domain, OrganisationKind, Role


class Region(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("City")
        COUNTY = "county", _("County / district")

    code = models.CharField(_("division code"), max_length=12, unique=True, help_text="GB/T 2260 code")
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent region"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> list[int]:
        """This region and every region below it (two levels: city and counties)."""
        ids = [self.pk]
        frontier = [self.pk]
        while frontier:
            frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class Centre(models.Model):
    """A public resource trading centre (公共资源交易中心), one per region; a county may have none active."""

    region = models.OneToOneField(Region, on_delete=models.PROTECT, related_name="centre", verbose_name=_("region"))
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    code = models.CharField(_("centre code"), max_length=12, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("trading centre")
        verbose_name_plural = _("trading centres")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices, db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations",
                               verbose_name=_("region"))
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    domains = models.JSONField(_("supervised domains"), default=list, blank=True,
                               help_text="for administrative departments: list of Domain values")
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region__code", "kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            # One organisation per credit code (suppliers, purchasers, agencies register once).
            models.UniqueConstraint(fields=["credit_code"], condition=~models.Q(credit_code=""),
                                    name="organisation_credit_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def domain_labels(self) -> list[str]:
        return [str(Domain(d).label) for d in self.domains if d in Domain.values]


class User(AbstractUser):
    display_name = models.CharField(_("name"), max_length=60, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="members", verbose_name=_("organisation"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def region(self) -> Region | None:
        return self.organisation.region if self.organisation_id else None  # type: ignore[union-attr]


# API keys for external systems (apikeys.py; model in apikey_models.py), imported to register the model.
from .apikey_models import ApiKey  # noqa: E402, F401
