"""The database clock decides: a bid 1 ms after the countdown end is refused, one 1 ms before is accepted and
restarts it. The arrival time is controlled by wrapping the engine's arrival read (the database time of a
bid's arrival; on PostgreSQL the instant handed to ``auctions_bids_place`` instead of its clock) so that it is
a chosen instant relative to the stored countdown end."""

from __future__ import annotations

import datetime as dt

import pytest

from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.core.errors import IllegalTransition

from .. import services
from ..models import Bid, Lot
from ..states import LotStatus
from .factories import bidder, live_land_lot

pytestmark = pytest.mark.django_db
MS = dt.timedelta(milliseconds=1)


def _arriving_at(monkeypatch, moment: dt.datetime) -> None:
    real = services._arrival

    def arrival(lot_id: int):
        _now, status, price = real(lot_id)
        return moment, status, price

    monkeypatch.setattr(services, "_arrival", arrival)  # the Python path (SQLite)
    monkeypatch.setattr(services, "_arrival_instant", lambda: moment)  # the one-statement path (PostgreSQL)


def test_one_ms_after_the_end_is_refused_and_one_ms_before_is_accepted(demo, monkeypatch):
    a, b = bidder(), bidder()
    lot, _regs = live_land_lot([a, b], countdown=300)
    end = Lot.objects.get(pk=lot.pk).countdown_ends_at
    assert end is not None
    _arriving_at(monkeypatch, end + MS)
    with pytest.raises(IllegalTransition) as late:
        services.bid_place(actor=a, lot=lot, amount="10000000.00", idempotency_key="late")
    assert late.value.code == "bidding_ended"
    after = Lot.objects.get(pk=lot.pk)
    assert (after.bid_count, after.current_price, after.countdown_ends_at) == (0, None, end)

    _arriving_at(monkeypatch, end - MS)
    result = services.bid_place(actor=b, lot=lot, amount="10000000.00", idempotency_key="in-time")
    assert result.placed_at == end - MS
    assert result.countdown_ends_at == end - MS + dt.timedelta(seconds=300)
    assert Lot.objects.get(pk=lot.pk).countdown_ends_at == result.countdown_ends_at

    # Exactly at the end is already too late (the countdown runs up to, not including, its end).
    _arriving_at(monkeypatch, result.countdown_ends_at)
    with pytest.raises(IllegalTransition):
        services.bid_place(actor=a, lot=lot, amount="10100000.00", idempotency_key="at-end")


def test_real_clock_a_passed_end_refuses_and_the_chronograph_waits_for_queued_bids(demo, monkeypatch):
    a, b = bidder(), bidder()
    lot, _regs = live_land_lot([a, b], countdown=300)
    now = db_now()
    Lot.objects.filter(pk=lot.pk).update(countdown_ends_at=now - MS, next_check_at=now - MS + services.settle_delay())
    with pytest.raises(IllegalTransition):
        services.bid_place(actor=a, lot=lot, amount="10000000.00", idempotency_key="x")
    # A bid that arrived 1 ms before the end but reached the lock after it is still decided on its arrival,
    # and the chronograph does not close the sale before the settle delay has passed.
    chronograph_run()
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.LIVE
    _arriving_at(monkeypatch, now - 2 * MS)
    accepted = services.bid_place(actor=b, lot=lot, amount="10000000.00", idempotency_key="queued")
    assert accepted.seq == 1
    assert Bid.objects.filter(lot=lot, accepted=True).count() == 1
