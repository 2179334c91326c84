"""Who may see and do what in the auctions app. One condition per line.

Secrets of a sale, enforced here and in the selectors: who applied and who holds which bidding number is
known to nobody but the bidder itself until the result (not to staff, the seller or other bidders — staff
see applications to approve them but never the numbers); the reserve price is shown to nobody before the
end. After the end the winner and the full bid history (by number) are public.
"""

from __future__ import annotations

from typing import Any

from yangguang.accounts.access import BUYER_ROLES, SUPERVISORY_ROLES, has_role, region_visible
from yangguang.accounts.states import Role

from .states import LotStatus

MANAGER_ROLES = frozenset({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN})
READER_ROLES = frozenset({*MANAGER_ROLES, *SUPERVISORY_ROLES})


def _staff_of_region(user: Any, region_id: int) -> bool:
    if not has_role(user, Role.CENTRE_STAFF):
        return False
    if user.organisation_id is None:
        return False
    return user.organisation.region_id == region_id


def project_lot_creatable(user: Any, project: Any) -> bool:
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    return _staff_of_region(user, project.centre.region_id)


def lot_manageable(user: Any, lot: Any) -> bool:
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    return _staff_of_region(user, lot.region_id)


def lot_visible(user: Any, lot: Any) -> bool:
    """Announced lots are public; drafts are seen by their managers and the supervisors of the region."""
    if lot.status != LotStatus.DRAFT:
        return True
    if lot_manageable(user, lot):
        return True
    if not has_role(user, *SUPERVISORY_ROLES):
        return False
    return region_visible(user, lot.region_id)


def registrations_readable(user: Any, lot: Any) -> bool:
    """The application list (organisations and statuses, never numbers): managers and supervisors."""
    if lot_manageable(user, lot):
        return True
    if not has_role(user, *SUPERVISORY_ROLES):
        return False
    return region_visible(user, lot.region_id)


def seller_side(user: Any, lot: Any) -> bool:
    if not has_role(user, *BUYER_ROLES):
        return False
    if user.organisation_id is None:
        return False
    return user.organisation_id in (lot.project.owner_id, lot.project.agency_id)


def confirmation_visible(user: Any, lot: Any) -> bool:
    """The deal confirmation (成交确认书) of a sold lot: the centre, the seller, the winner, supervisors."""
    if lot.status != LotStatus.SOLD:
        return False
    if registrations_readable(user, lot):
        return True
    if seller_side(user, lot):
        return True
    if not has_role(user, Role.SUPPLIER):
        return False
    return lot.winner is not None and lot.winner.organisation_id == user.organisation_id
