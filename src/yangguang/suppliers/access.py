"""Who may see and change supplier registrations. One condition per line.

Who registered is confidential: a supplier sees only its own registration; the public and buyers see none.
Centre staff review the suppliers of their region tree; supervisory roles and the platform administrator read.
"""

from __future__ import annotations

from typing import Any

from yangguang.accounts.access import SUPERVISORY_ROLES, has_role
from yangguang.accounts.states import Role

from .models import SupplierProfile

READER_ROLES = frozenset({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES})
REVIEWER_ROLES = frozenset({Role.CENTRE_STAFF})


def pool_region_ids(user: Any) -> set[int] | None:
    """Regions whose suppliers the user may read; None means every region."""
    if has_role(user, Role.PLATFORM_ADMIN):
        return None
    if not has_role(user, *READER_ROLES):
        return set()
    if user.organisation_id is None:
        return set()
    # The supplier pool is shared down the region tree: city staff review county registrations too.
    return set(user.organisation.region.descendant_ids())


def supplier_visible(user: Any, profile: SupplierProfile) -> bool:
    if has_role(user, Role.SUPPLIER) and user.organisation_id == profile.organisation_id:
        return True
    if not has_role(user, *READER_ROLES):
        return False
    regions = pool_region_ids(user)
    return regions is None or profile.organisation.region_id in regions


def supplier_reviewable(user: Any, profile: SupplierProfile) -> bool:
    if not has_role(user, *REVIEWER_ROLES):
        return False
    return supplier_visible(user, profile)


def supplier_own(user: Any, profile: SupplierProfile) -> bool:
    if not has_role(user, Role.SUPPLIER):
        return False
    return user.organisation_id == profile.organisation_id
