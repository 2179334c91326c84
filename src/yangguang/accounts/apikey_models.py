"""The API key model (see :mod:`.apikeys` for issuing, revoking and authenticating)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from .states import OrganisationKind


class Scope(models.TextChoices):
    FUNDING_CHECK = "funding_check", gettext_lazy("Funding check (finance)")
    PROJECT_LIST_IMPORT = "project_list_import", gettext_lazy("Project list import (departments)")


# Which organisations may hold a key of each scope.
SCOPE_KINDS: dict[str, frozenset[str]] = {
    Scope.FUNDING_CHECK: frozenset({OrganisationKind.FINANCE}),
    Scope.PROJECT_LIST_IMPORT: frozenset({OrganisationKind.DEPARTMENT, OrganisationKind.COMMITTEE_OFFICE}),
}
KEY_PREFIX = "ygk"
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiKey(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="api_keys",
                                     verbose_name=gettext_lazy("organisation"))
    name = models.CharField(gettext_lazy("name"), max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(gettext_lazy("scopes"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(gettext_lazy("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(gettext_lazy("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    last_used_at = models.DateTimeField(gettext_lazy("last used"), null=True, blank=True)

    class Meta:
        app_label = "accounts"
        ordering = ["-pk"]
        verbose_name = gettext_lazy("API key")
        verbose_name_plural = gettext_lazy("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation_id})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def scope_labels(self) -> list[str]:
        return [str(Scope(s).label) for s in self.scopes if s in Scope.values]
