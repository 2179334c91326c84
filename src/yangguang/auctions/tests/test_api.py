"""Bids and deposits over the HTTP API: clear refusals (zh and en, 4xx with a code) that change nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yangguang.core.dbclock import db_now

from ..banknotify import bank_signature
from ..models import Bid, Lot, Registration
from .factories import bidder, live_land_lot, make_lot, qualify

pytestmark = pytest.mark.django_db


def _client(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _post(client: Client, url: str, body) -> tuple[int, dict]:
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(url, data, content_type="application/json")
    return response.status_code, response.json()


def _state(lot: Lot) -> tuple:
    fresh = Lot.objects.get(pk=lot.pk)
    return (fresh.bid_count, fresh.current_price, fresh.countdown_ends_at, fresh.status,
            Bid.objects.filter(lot=lot, accepted=True).count())


def test_bad_bids_are_refused_clearly_and_change_nothing(demo, user_of):
    a, b, outsider = bidder(), bidder(), bidder()
    lot, _regs = live_land_lot([a, b])
    url = f"/api/v1/auctions/lots/{lot.pk}/bids"
    status, body = _post(_client(a), url, {"amount": "10000000.00", "idempotency_key": "first"})
    assert status == 201 and body["seq"] == 1
    before = _state(lot)
    cases = [
        (_client(b), {"amount": "10050000.00", "idempotency_key": "k1"}, 422, "bid_too_low"),
        (_client(outsider), {"amount": "11000000.00", "idempotency_key": "k2"}, 403, "not_qualified"),
        (_client(user_of("staff")), {"amount": "11000000.00", "idempotency_key": "k3"}, 403, "forbidden"),
        (_client(b), {"amount": "abc", "idempotency_key": "k4"}, 422, "amount_invalid"),
        (_client(b), {"amount": "-5", "idempotency_key": "k5"}, 422, "amount_invalid"),
        (_client(b), {"amount": "10200000.001", "idempotency_key": "k6"}, 422, "amount_invalid"),
        (_client(b), {"idempotency_key": "k7"}, 422, "amount_invalid"),
        (_client(b), {"amount": "10200000.00"}, 422, "idempotency_key_required"),
        (_client(b), "{not json", 422, "body_invalid"),
        (_client(b), "[1, 2]", 422, "body_invalid"),
    ]
    for client, body_in, want_status, want_code in cases:
        status, body = _post(client, url, body_in)
        assert (status, body["code"]) == (want_status, want_code), body
        assert body["message"]
    assert _state(lot) == before
    # Chinese by default.
    status, body = _post(_client(b, "zh-hans"), url, {"amount": "10050000.00", "idempotency_key": "zh"})
    assert status == 422 and "出价" in body["message"] and "10100000.00" in body["message"]
    status, body = _post(_client(b), url, {"amount": "10050000.00", "idempotency_key": "en"})
    assert "Bid refused" in body["message"] and body["field"] == "amount"
    # After the end.
    now = db_now()
    Lot.objects.filter(pk=lot.pk).update(countdown_ends_at=now)
    before = _state(lot)
    status, body = _post(_client(b), url, {"amount": "20000000.00", "idempotency_key": "late"})
    assert (status, body["code"]) == (409, "bidding_ended")
    assert _state(lot) == before


def test_public_state_hides_the_reserve_and_shows_the_server_clock(demo, client):
    lot = make_lot()
    body = client.get(f"/api/v1/auctions/lots/{lot.pk}").json()
    assert body["reserve_price"] is None and "10500000" not in json.dumps(body)
    assert client.get("/api/v1/auctions/time").json()["server_time"]


def test_bank_notification_needs_a_valid_signature_and_is_idempotent(demo, settings, client):
    settings.YANGGUANG_AUCTION_BANK_SECRET = "test-bank-secret"  # noqa: S105
    a = bidder()
    lot = make_lot()
    registration = _post(_client(a), f"/api/v1/auctions/lots/{lot.pk}/apply", {})[1]
    body = json.dumps({"notification_id": "ICBC-1", "deposit_ref": registration["deposit_ref"],
                       "amount": "2000000.00"}).encode()
    url = "/api/v1/auctions/bank/deposits"
    bad = client.post(url, body, content_type="application/json", HTTP_X_YANGGUANG_SIGNATURE="sha256=00")
    assert bad.status_code == 403 and bad.json()["code"] == "signature_invalid"
    assert Registration.objects.get(pk=registration["id"]).status == "applied"
    signature = bank_signature(body, b"test-bank-secret")
    for _attempt in range(2):
        ok = client.post(url, body, content_type="application/json", HTTP_X_YANGGUANG_SIGNATURE=signature)
        assert ok.status_code == 200 and ok.json()["outcome"] == "accepted"
    assert Registration.objects.get(pk=registration["id"]).status == "deposit_paid"


def test_qualified_bidder_sees_only_its_own_number(demo):
    a, b = bidder(), bidder()
    lot = make_lot()
    qualify(lot, a)
    qualify(lot, b)
    mine = _client(a).get(f"/api/v1/auctions/lots/{lot.pk}/me").json()
    other = Registration.objects.get(lot=lot, organisation=b.organisation).bidding_number
    assert mine["bidding_number"] and mine["bidding_number"] != other
