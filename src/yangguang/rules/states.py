from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleStatus(models.TextChoices):
    """How well a rule is backed (rules.md §0). Verified and secondary rules block; unconfirmed ones warn
    until a platform administrator confirms them against the official text."""

    VERIFIED = "verified", _("Verified against the law's text")
    SECONDARY = "secondary", _("Backed by a secondary source")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")


class DayUnit(models.TextChoices):
    CALENDAR_DAY = "calendar_day", _("calendar days")
    WORKING_DAY = "working_day", _("working days")
