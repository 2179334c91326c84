"""PostgreSQL's one-round-trip bid path (``auctions_bids_place``, migration 0002): a batch is judged in
arrival order against the running price, retries replay, the countdown restarts on accepted bids only, and
the events it appends are the ones the Python path would write (same canonical payload, one valid chain)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from yangguang.core import eventlog
from yangguang.core.dbclock import db_now
from yangguang.core.models import CANONICAL_JSON, Event

from .. import engine, services
from ..models import Bid, Lot, Registration
from ..states import LotStatus, Variant
from .factories import bidder, live_land_lot, make_lot, qualify

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL function exists on PostgreSQL only"),
]


def _place(lot: Lot, items: list[services.BidItem], received: dt.datetime | None = None) -> list[services.PlaceOutcome]:
    params = services.place_params(lot.pk, engine.config(lot.variant), items, defer_refusals=False)
    params[-1] = received
    with connection.cursor() as cursor:
        cursor.execute(services.PLACE_SQL, params)
        rows = cursor.fetchall()
    assert [row[0] for row in rows] == list(range(1, len(items) + 1))
    return [services.place_outcome(lot.pk, item.registration_id, item.key, row)
            for item, row in zip(items, rows, strict=True)]


def test_a_batch_is_judged_in_order_against_the_running_price(demo):
    a, b = bidder(), bidder()
    lot, (ra, rb) = live_land_lot([a, b], countdown=300)
    start, step = lot.starting_price, lot.increment
    items = [
        services.bid_item(ra, start, "a1"),             # the starting price: accepted
        services.bid_item(rb, start, "b1"),             # the same amount, now too low
        services.bid_item(rb, start + step, "b2"),      # one increment more: accepted
        services.bid_item(ra, start, "a1"),             # a retry of a1 in the same batch: replayed
        services.bid_item(ra, start + step, "a2"),      # too low against b2
        services.bid_item(ra, start + 3 * step, "a3"),  # accepted
    ]
    out = _place(lot, items)
    assert [o.kind for o in out] == ["accepted", "refused", "accepted", "replay", "refused", "accepted"]
    assert [o.result.seq for o in out if o.kind == "accepted"] == [1, 2, 3]  # type: ignore[union-attr]
    assert out[1].error is not None and out[1].error.code == "bid_too_low"
    assert out[4].error is not None and "%s" % (start + 2 * step) in str(out[4].error)
    assert out[3].result is not None and out[3].result.replayed and out[3].result.seq == 1
    after = Lot.objects.get(pk=lot.pk)
    assert (after.bid_count, after.current_price, after.leader_id) == (3, start + 3 * step, ra.pk)
    last = out[5].result
    assert last is not None and last.placed_at is not None
    assert after.countdown_ends_at == last.countdown_ends_at == last.placed_at + dt.timedelta(seconds=300)
    assert after.next_check_at == after.countdown_ends_at + services.settle_delay()
    assert Bid.objects.filter(lot=lot).count() == 5  # the in-batch retry stored nothing
    assert list(Bid.objects.filter(lot=lot, accepted=False).values_list("refusal_code", flat=True)) == [
        "bid_too_low", "bid_too_low"]
    # A later retry of a refusal replays the refusal with its limit.
    again = _place(lot, [services.bid_item(rb, start, "b1")])[0]
    assert again.kind == "replay" and again.error is not None and again.error.code == "bid_too_low"
    assert out[0].message is not None and "_private" in out[0].message


def test_events_match_the_python_path_and_the_chain_verifies(demo):
    a, b = bidder(), bidder()
    lot, (ra, rb) = live_land_lot([a, b], countdown=300)
    before = Event.objects.count()
    _place(lot, [services.bid_item(ra, lot.starting_price, "x1"),
                 services.bid_item(rb, lot.starting_price + lot.increment, "x2")])
    events = list(Event.objects.filter(seq__gte=before).order_by("seq"))
    assert [e.action for e in events] == ["auctions.bid.accepted"] * 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM core_event WHERE seq >= %s ORDER BY seq", [before])
        stored = [row[0] for row in cursor.fetchall()]
    for event, text in zip(events, stored, strict=True):
        bid = Bid.objects.get(pk=int(event.object_id))
        expected = {"lot": lot.pk, "seq": bid.seq, "number": bid.number, "amount": str(bid.amount),
                    "countdown_ends_at": bid.countdown_ends_at.isoformat() if bid.countdown_ends_at else None}
        assert text == CANONICAL_JSON.encode(expected)  # byte for byte what the Python path stores
        assert (event.actor, event.object_type) == ("bidder", "auctions.bid")
    assert eventlog.verify_log().error is None


def test_the_database_clock_decides_and_refusals_change_nothing(demo):
    a, b = bidder(), bidder()
    lot, (ra, _rb) = live_land_lot([a, b], countdown=300)
    end = Lot.objects.get(pk=lot.pk).countdown_ends_at
    assert end is not None
    late = _place(lot, [services.bid_item(ra, lot.starting_price, "late")], received=end)[0]
    assert late.kind == "refused" and late.error is not None and late.error.code == "bidding_ended"
    on_time = _place(lot, [services.bid_item(ra, lot.starting_price, "ok")],
                     received=end - dt.timedelta(milliseconds=1))[0]
    assert on_time.kind == "accepted" and on_time.result is not None
    assert on_time.result.countdown_ends_at == end - dt.timedelta(milliseconds=1) + dt.timedelta(seconds=300)


def test_only_bidders_who_asked_to_continue_bid_in_the_timed_session(demo):
    a, b = bidder(), bidder()
    lot, (ra, rb) = live_land_lot([a, b], countdown=300)
    Lot.objects.filter(pk=lot.pk).update(live_started_at=lot.listing_starts_at)
    Registration.objects.filter(pk=rb.pk).update(live_requested=False)
    Registration.objects.filter(pk=ra.pk).update(live_requested=True)
    out = _place(lot, [services.bid_item(rb, lot.starting_price, "n1"),
                       services.bid_item(ra, lot.starting_price, "y1")])
    assert [o.kind for o in out] == ["refused", "accepted"]
    assert out[0].error is not None and out[0].error.code == "not_in_session"


def test_a_sale_the_chronograph_has_not_opened_yet_goes_to_the_python_path(demo):
    a = bidder()
    lot = make_lot(Variant.ENGLISH)
    reg = qualify(lot, a)
    now = db_now()
    Lot.objects.filter(pk=lot.pk).update(listing_starts_at=now - dt.timedelta(seconds=1),
                                         listing_ends_at=now + dt.timedelta(hours=1))
    lot = Lot.objects.get(pk=lot.pk)
    assert lot.status == LotStatus.ANNOUNCED
    out = _place(lot, [services.bid_item(reg, lot.starting_price, "p1")])
    assert out[0].kind == "python" and not Bid.objects.filter(lot=lot).exists()
    # bid_place then opens the sale inline (the chronograph's step) and takes the bid.
    result = services.bid_place(actor=a, lot=lot, amount=str(lot.starting_price), idempotency_key="p1")
    assert result.seq == 1
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.LIVE


def test_the_bids_of_one_call_are_judged_in_price_order(demo):
    """A call's bids share one arrival instant, so the batcher judges them from the lowest amount up (prices
    going up): read by the server as 3, 1, 2 increments above the start, all three are steps of the price and
    the highest leads; of two equal amounts the first read wins."""
    a, b, c = bidder(), bidder(), bidder()
    lot, (ra, rb, rc) = live_land_lot([a, b, c], countdown=300)
    start, step = lot.starting_price, lot.increment
    read = [services.bid_item(ra, start + 2 * step, "a1"), services.bid_item(rb, start, "b1"),
            services.bid_item(rc, start + step, "c1"), services.bid_item(rb, start + 2 * step, "b2")]
    cfg = engine.config(lot.variant)
    order = services.judging_order(read, cfg)
    assert order == [1, 2, 0, 3]
    out = _place(lot, [read[i] for i in order])
    assert [o.kind for o in out] == ["accepted", "accepted", "accepted", "refused"]
    after = Lot.objects.get(pk=lot.pk)
    assert (after.bid_count, after.current_price, after.leader_id) == (3, start + 2 * step, ra.pk)
    # In the order read, the first bid alone would have been accepted.
    lot2, (ra2, rb2, rc2) = live_land_lot([bidder(), bidder(), bidder()], countdown=300)
    as_read = [services.bid_item(ra2, start + 2 * step, "a1"), services.bid_item(rb2, start, "b1"),
               services.bid_item(rc2, start + step, "c1")]
    assert [o.kind for o in _place(lot2, as_read)] == ["accepted", "refused", "refused"]

