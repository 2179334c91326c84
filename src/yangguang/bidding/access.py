"""Who may see and do what in bidding. One condition per line.

Before the deadline nobody but the bidding organisation itself learns anything about a bid: not whether it
exists, not how many there are. The opening hall and its record open to the buyer side, the centre and the
supervisors of the region, and to the organisations that bid, once the lot's opening has started.
"""

from __future__ import annotations

from typing import Any

from yangguang.accounts.access import has_role
from yangguang.accounts.states import Role
from yangguang.tendering.access import procedure_holdable, procedure_manageable, procedure_visible
from yangguang.tendering.models import Lot, Procedure
from yangguang.tendering.states import SECRET_STATUSES


def lot_biddable(user: Any, lot: Lot) -> bool:
    """The bidder's own sealing page: a supplier who may see the procedure."""
    if not has_role(user, Role.SUPPLIER):
        return False
    if user.organisation_id is None:
        return False
    return procedure_visible(user, lot.procedure)


def hall_visible(user: Any, lot: Lot) -> bool:
    """The opening hall and its record: after the deadline, once the opening started."""
    procedure = lot.procedure
    if procedure.status in SECRET_STATUSES:
        return False
    if not hasattr(lot, "opening"):
        return False
    if has_role(user, Role.SUPPLIER):
        return _bid_in(user, lot)
    return procedure_visible(user, procedure)


def _bid_in(user: Any, lot: Lot) -> bool:
    from .models import Bid
    from .states import BidStatus

    if user.organisation_id is None:
        return False
    return Bid.objects.filter(lot=lot, organisation_id=user.organisation_id).exclude(
        status__in=[BidStatus.DRAFT, BidStatus.REPLACED]).exists()


def opening_manageable(user: Any, procedure: Procedure) -> bool:
    """Run the remedy path and close the record: the buyer side (who holds the opening) or the centre."""
    if procedure_manageable(user, procedure):
        return True
    return procedure_holdable(user, procedure)
