"""Supplier statuses, supply classes, credit status and the table of allowed review moves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from yangguang.core.states import TransitionTable


class SupplierStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for correction")
    SUSPENDED = "suspended", _("Suspended")


class SupplyClass(models.TextChoices):
    GOODS = "goods", _("Goods")
    WORKS = "works", _("Works")
    SERVICES = "services", _("Services")


class CreditStatus(models.TextChoices):
    GOOD = "good", _("Good standing")
    BLACKLISTED = "blacklisted", _("Blacklisted")


# Step names are shown in the 409 message ("“approve” is not allowed while …"), so they are translatable.
STEP_APPROVE = gettext_noop("approve")
STEP_RETURN = gettext_noop("return")
STEP_RESUBMIT = gettext_noop("resubmit")
STEP_SUSPEND = gettext_noop("suspend")
STEP_REINSTATE = gettext_noop("reinstate")

TRANSITIONS = TransitionTable({
    STEP_APPROVE: ([SupplierStatus.SUBMITTED], SupplierStatus.APPROVED),
    STEP_RETURN: ([SupplierStatus.SUBMITTED], SupplierStatus.RETURNED),
    STEP_RESUBMIT: ([SupplierStatus.RETURNED], SupplierStatus.SUBMITTED),
    STEP_SUSPEND: ([SupplierStatus.APPROVED], SupplierStatus.SUSPENDED),
    STEP_REINSTATE: ([SupplierStatus.SUSPENDED], SupplierStatus.APPROVED),
})
