"""Reads of the supplier pool, for this app's pages and for later procedures."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yangguang.accounts.models import Organisation

from .access import READER_ROLES, pool_region_ids
from .models import BlacklistEntry, SupplierProfile
from .states import CreditStatus, SupplierStatus


def suppliers_visible(user: Any, *, status: str = "", supply_class: str = "", query: str = "") -> QuerySet[
        SupplierProfile]:
    from yangguang.accounts.access import has_role

    qs = SupplierProfile.objects.select_related("organisation", "organisation__region")
    if not has_role(user, *READER_ROLES):
        return qs.none()
    regions = pool_region_ids(user)
    if regions is not None:
        qs = qs.filter(organisation__region_id__in=regions)
    if status:
        qs = qs.filter(status=status)
    if supply_class:
        qs = qs.filter(primary_class=supply_class)
    if query:
        qs = qs.filter(organisation__name__icontains=query) | qs.filter(organisation__credit_code=query.upper())
    return qs.order_by("status", "organisation__name")


def supplier_of(user: Any) -> SupplierProfile | None:
    if not getattr(user, "is_authenticated", False) or not user.organisation_id:
        return None
    return SupplierProfile.objects.select_related("organisation").filter(
        organisation_id=user.organisation_id).first()


def blacklist_visible(user: Any) -> QuerySet[BlacklistEntry]:
    from yangguang.accounts.access import has_role

    qs = BlacklistEntry.objects.select_related("supplier__organisation__region")
    if not has_role(user, *READER_ROLES):
        return qs.none()
    regions = pool_region_ids(user)
    return qs if regions is None else qs.filter(supplier__organisation__region_id__in=regions)


def supplier_eligible(organisation: Organisation) -> tuple[bool, str]:
    """Whether the organisation may take part in a procedure now, and if not, why (for later procedures)."""
    profile = SupplierProfile.objects.filter(organisation=organisation).first()
    if profile is None:
        return False, _("The organisation is not registered in the supplier pool.")
    if profile.status != SupplierStatus.APPROVED:
        return False, _("The supplier's registration is not approved (status: %(status)s).") % {
            "status": profile.get_status_display()}
    if profile.credit_status == CreditStatus.BLACKLISTED:
        return False, _("The supplier is blacklisted.")
    return True, ""
