"""The engine through its services: each variant from notice to result, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.models import Event
from yangguang.notices.models import Notice

from .. import engine, services
from ..models import Bid, Lot, Registration
from ..states import DepositStatus, LotStatus, Variant
from .factories import amount, bidder, end_countdown, end_listing, live_land_lot, make_lot, open_now, qualify, staff

pytestmark = pytest.mark.django_db


def _winner(lot: Lot) -> int:
    assert lot.winner is not None
    return lot.winner.organisation_id


def bid(user, lot, value, key=None):
    return services.bid_place(actor=user, lot=lot, amount=value, idempotency_key=key or f"k-{user.pk}-{value}")


def test_land_listing_offers_then_timed_session_then_sold(demo):
    a, b, c = bidder(), bidder(), bidder()
    lot = make_lot(Variant.LAND_LISTING)
    assert lot.status == LotStatus.ANNOUNCED
    assert Notice.objects.get(code=lot.announce_notice).type == "land_listing"
    for user in (a, b, c):
        qualify(lot, user)
    lot = open_now(lot)
    assert lot.status == LotStatus.LISTING
    first = bid(a, lot, "10000000.00")  # the starting price itself is a valid first offer
    assert first.seq == 1 and first.countdown_ends_at is None  # no countdown during the listing period
    with pytest.raises(ValidationFailed) as low:
        bid(b, lot, "10050000.00")
    assert low.value.code == "bid_too_low"
    bid(b, lot, "10100000.00")
    services.registration_request_live(actor=a, lot=lot)
    services.registration_request_live(actor=b, lot=lot)
    lot = end_listing(lot)
    assert lot.status == LotStatus.LIVE
    assert lot.live_started_at is not None
    assert lot.countdown_ends_at == lot.live_started_at + dt.timedelta(seconds=300)
    with pytest.raises(PermissionDenied) as outsider:  # c did not ask to continue
        bid(c, lot, "20000000.00")
    assert outsider.value.code == "not_in_session"
    third = bid(a, lot, "10200000.00")
    assert third.countdown_ends_at == third.placed_at + dt.timedelta(seconds=300)
    fourth = bid(b, lot, "10600000.00")
    assert fourth.countdown_ends_at == fourth.placed_at + dt.timedelta(seconds=300)
    lot = end_countdown(lot)
    assert lot.status == LotStatus.SOLD
    assert lot.final_price == amount("10600000.00")
    assert _winner(lot) == b.organisation_id
    # Ends once: another chronograph pass changes nothing.
    events = Event.objects.filter(action="auctions.lot.sold", object_id=str(lot.pk)).count()
    end_countdown(lot)
    assert Event.objects.filter(action="auctions.lot.sold", object_id=str(lot.pk)).count() == events == 1
    # The result: notice, deposits, refund deadline.
    lot, _warnings = services.lot_result_publish(actor=staff(), lot=lot)
    notice = Notice.objects.get(code=lot.result_notice)
    assert notice.type == "land_result" and "10600000.00" in notice.fields["price"]
    deposits = dict(Registration.objects.filter(lot=lot).values_list("organisation_id", "deposit_status"))
    assert deposits == {a.organisation_id: DepositStatus.RELEASED, b.organisation_id: DepositStatus.CONVERTED,
                        c.organisation_id: DepositStatus.RELEASED}
    refund_due = Registration.objects.get(lot=lot, organisation=a.organisation).deposit_refund_due
    assert refund_due is not None and lot.concluded_at is not None and refund_due > lot.concluded_at
    with pytest.raises(IllegalTransition):
        services.lot_result_publish(actor=staff(), lot=lot)


def test_one_offer_at_or_above_reserve_sells_at_the_end_of_the_listing(demo):
    a, b = bidder(), bidder()
    lot = make_lot(Variant.LAND_LISTING)
    qualify(lot, a)
    qualify(lot, b)
    lot = open_now(lot)
    bid(a, lot, "10500000.00")
    services.registration_request_live(actor=a, lot=lot)  # one request is not enough for a timed session
    lot = end_listing(lot)
    assert lot.status == LotStatus.SOLD and lot.final_price == amount("10500000.00")
    assert lot.concluded_at == lot.listing_ends_at


def test_no_bid_above_the_reserve_fails_with_a_failed_sale_notice(demo):
    a = bidder()
    lot = make_lot(Variant.LAND_LISTING)
    qualify(lot, a)
    lot = open_now(lot)
    bid(a, lot, "10000000.00")
    lot = end_listing(lot)
    assert lot.status == LotStatus.FAILED and lot.failure_reason == "reserve_not_met"
    failed = Event.objects.get(action="auctions.lot.failed", object_id=str(lot.pk))
    assert failed.payload["reserve_price"] == "10500000.00"  # disclosed at the end, not before
    lot, _w = services.lot_result_publish(actor=staff(), lot=lot)
    assert Notice.objects.get(code=lot.result_notice).type == "failed_sale"
    assert Registration.objects.get(lot=lot).deposit_status == DepositStatus.RELEASED


def test_english_auction_extends_on_late_bids_and_highest_wins(demo):
    a, b = bidder(), bidder()
    lot = make_lot(Variant.ENGLISH, countdown_seconds=60)
    qualify(lot, a)
    qualify(lot, b)
    lot = open_now(lot, ends_in=dt.timedelta(seconds=30))
    assert lot.status == LotStatus.LIVE and lot.countdown_ends_at == lot.listing_ends_at
    result = bid(a, lot, "10500000.00")
    assert result.countdown_ends_at == result.placed_at + dt.timedelta(seconds=60)  # inside the last minute
    bid(b, lot, "10600000.00")
    lot = end_countdown(lot)
    assert lot.status == LotStatus.SOLD and _winner(lot) == b.organisation_id


def test_asset_multi_round_goes_to_a_timed_round_after_the_free_period(demo):
    a, b = bidder(), bidder()
    lot = make_lot(Variant.ASSET_MULTI_ROUND)
    assert Notice.objects.get(code=lot.announce_notice).type == "asset_disclosure"
    qualify(lot, a)
    qualify(lot, b)
    lot = open_now(lot)
    bid(a, lot, "10000000.00")
    lot = end_listing(lot)
    assert lot.status == LotStatus.LIVE  # no request to continue needed
    bid(b, lot, "10600000.00")
    lot = end_countdown(lot)
    assert lot.status == LotStatus.SOLD
    lot, _w = services.lot_result_publish(actor=staff(), lot=lot)
    assert Notice.objects.get(code=lot.result_notice).type == "asset_result"


def test_sealed_offers_stay_secret_and_highest_wins(demo, client):
    a, b, c = bidder(), bidder(), bidder()
    lot = make_lot(Variant.ASSET_SEALED)
    for user in (a, b, c):
        qualify(lot, user)
    lot = open_now(lot)
    bid(a, lot, "10800000.00")
    bid(b, lot, "11000000.00")
    bid(c, lot, "11000000.00")  # same amount, later: loses the tie
    with pytest.raises(IllegalTransition) as again:
        bid(a, lot, "12000000.00")
    assert again.value.code == "offer_already_made"
    public = client.get(f"/api/v1/auctions/lots/{lot.pk}").json()
    assert public["current_price"] is None and public["seq"] is None
    assert client.get(f"/api/v1/auctions/lots/{lot.pk}/bids").json() == {"lot": lot.pk, "sealed": True, "bids": []}
    for event in Event.objects.filter(action="auctions.bid.accepted", payload__contains=f'"lot":{lot.pk},'):
        assert "amount" not in event.payload and "number" not in event.payload
    lot = end_countdown(lot)
    assert lot.status == LotStatus.SOLD and _winner(lot) == b.organisation_id
    opened = Event.objects.get(action="auctions.lot.sold", object_id=str(lot.pk)).payload["offers"]
    commitments = [e.payload["commitment"] for e in Event.objects.filter(
        action="auctions.bid.accepted", payload__contains=f'"lot":{lot.pk},').order_by("seq")]
    assert commitments == [hashlib.sha256(f"{o['amount']}|{o['nonce']}".encode()).hexdigest() for o in opened]


def test_reverse_auction_goes_down_by_the_decrement_and_lowest_wins(demo):
    from yangguang.suppliers.models import SupplierProfile
    from yangguang.suppliers.states import SupplierStatus

    a, b, outsider = bidder(), bidder(), bidder()
    for user in (a, b):
        assert user.organisation is not None
        SupplierProfile.objects.create(organisation=user.organisation, primary_class="goods", classes=["goods"],
                                       legal_representative="甲", registered_capital=100, address="丽水",
                                       business_scope="货物", status=SupplierStatus.APPROVED,
                                       submitted_at=lot_time())
    lot = make_lot(Variant.REVERSE, starting_price="800000.00", increment="5000.00", deposit="0.00",
                   reserve_price=None)
    with pytest.raises(PermissionDenied):
        services.registration_apply(actor=outsider, lot=lot)  # not in the supplier pool
    qualify(lot, a)
    qualify(lot, b)
    lot = open_now(lot)
    bid(a, lot, "790000.00")
    with pytest.raises(ValidationFailed) as high:
        bid(b, lot, "788000.00")
    assert high.value.code == "bid_too_high"
    bid(b, lot, "785000.00")
    lot = end_countdown(lot)
    assert lot.status == LotStatus.SOLD and lot.final_price == amount("785000.00")
    assert _winner(lot) == b.organisation_id
    assert Notice.objects.get(code=lot.announce_notice).type == "reverse_auction"
    lot, _w = services.lot_result_publish(actor=staff(), lot=lot)
    result = Notice.objects.get(code=lot.result_notice)
    assert result.type == "reverse_auction_result"
    assert b.organisation is not None and result.fields["supplier"] == b.organisation.name
    assert "785" in result.fields["price"]


def lot_time():
    from yangguang.core.dbclock import db_now

    return db_now()


def test_a_retry_with_the_same_key_returns_the_first_outcome(demo):
    a, b = bidder(), bidder()
    lot, _regs = live_land_lot([a, b])
    first = bid(a, lot, "10000000.00", key="same")
    again = bid(a, lot, "10000000.00", key="same")
    assert (again.seq, again.amount, again.replayed) == (first.seq, first.amount, True)
    with pytest.raises(ValidationFailed):
        bid(b, lot, "10000000.00", key="low")
    with pytest.raises(ValidationFailed) as replay:  # even with a now-valid amount, the first outcome stands
        bid(b, lot, "12000000.00", key="low")
    assert replay.value.code == "bid_too_low"
    assert Lot.objects.get(pk=lot.pk).bid_count == 1
    assert Bid.objects.filter(lot=lot, accepted=True).count() == 1


def test_deposit_below_the_amount_keeps_the_application_waiting(demo):
    a = bidder()
    lot = make_lot(Variant.LAND_LISTING)
    registration = services.registration_apply(actor=a, lot=lot)
    note = services.deposit_notify(notification_id="N1", deposit_ref=registration.deposit_ref, amount="100.00")
    assert note.outcome == "insufficient"
    assert Registration.objects.get(pk=registration.pk).status == "applied"
    with pytest.raises(IllegalTransition):
        services.registration_approve(actor=staff(), registration=registration)
    assert services.deposit_notify(notification_id="N1", deposit_ref="whatever", amount="1").pk == note.pk


def test_unconfirmed_time_rules_warn_and_do_not_block(demo):
    from yangguang.core.dbclock import db_now

    now = db_now()
    lot = make_lot(Variant.LAND_LISTING, listing_starts_at=now + dt.timedelta(days=3),
                   listing_ends_at=now + dt.timedelta(days=5))
    assert lot.status == LotStatus.ANNOUNCED
    assert any("L-002" in w for w in lot.rule_warnings) and any("L-007" in w for w in lot.rule_warnings)


def test_a_reverse_auction_judges_the_highest_amount_first():
    """Prices going down: the least competitive (highest) amount is judged first."""
    cfg = engine.config(Variant.REVERSE)
    assert cfg.direction < 0
    items = [services.BidItem(1, "1", Decimal("90"), "k1"), services.BidItem(2, "2", Decimal("100"), "k2"),
             services.BidItem(3, "3", Decimal("90"), "k3")]
    assert services.judging_order(items, cfg) == [1, 0, 2]
