"""Test helpers: the bidder's side (re-exported from :mod:`yangguang.bidding.bidder`) and the deadline moved
relative to the database clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.tendering.models import Procedure

from ..bidder import CANARY, Sealed, content_key, keys_for, price_sheet, seal_bid, submit, upload_all
from ..models import OpeningKey

__all__ = ["CANARY", "Sealed", "content_key", "keys_for", "pass_deadline", "price_sheet", "seal_bid", "set_deadline",
           "submit", "upload_all"]


def set_deadline(procedure: Procedure, seconds_from_now: float) -> Procedure:
    """Move the effective deadline relative to the database clock (the tests' way to reach the deadline)."""
    deadline = db_now() + dt.timedelta(seconds=seconds_from_now)
    Procedure.objects.filter(pk=procedure.pk).update(effective_bid_deadline=deadline, next_check_at=deadline,
                                                     effective_documents_until=min(
                                                         deadline, procedure.effective_documents_until or deadline))
    OpeningKey.objects.filter(procedure=procedure, next_check_at__isnull=False).update(next_check_at=deadline)
    procedure.refresh_from_db()
    return procedure


def pass_deadline(procedure: Procedure) -> Procedure:
    set_deadline(procedure, -1)
    chronograph_run()
    chronograph_run()
    procedure.refresh_from_db()
    return procedure


def total(value: str) -> Decimal:
    return Decimal(value)
