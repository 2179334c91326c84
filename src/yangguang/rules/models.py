"""The legal rule set as data: one row per rule of rules.md §1 (and the platform's own "Y-" rules), with its
source, how well it is confirmed, and the structured parameters the services check against."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .states import RuleStatus


class Rule(models.Model):
    code = models.CharField(_("code"), max_length=10, primary_key=True)
    domain = models.CharField(_("domain"), max_length=10)
    text = models.TextField(_("rule"))
    parameters = models.TextField(_("parameters"), blank=True)
    source = models.TextField(_("legal source"))
    status = models.CharField(_("status"), max_length=12, choices=RuleStatus.choices)
    status_note = models.TextField(_("status note"), blank=True)
    platform_check = models.TextField(_("what the platform checks"), blank=True)
    params: models.JSONField[dict[str, Any]] = models.JSONField(_("structured parameters"), default=dict, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("confirmed by"))
    confirmation_note = models.TextField(_("confirmation note"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"

    @property
    def blocking(self) -> bool:
        """A rule whose breach refuses the action; otherwise the action goes ahead with a warning."""
        return self.status != RuleStatus.UNCONFIRMED or self.confirmed_at is not None
