"""The opening hall's published record and the pacing of its publication (the sockets themselves are
exercised by test_browser.py)."""

from __future__ import annotations

import pytest

from .. import live, services
from ..models import Bid
from .sealing import content_key, pass_deadline, submit

pytestmark = pytest.mark.django_db


def test_the_record_shows_every_bid_and_a_price_only_once_decrypted(tender):
    procedure, lot, bidders = tender
    bids = [submit(u, k, lot)[0] for u, k in bidders]
    pass_deadline(procedure)
    user, keys = bidders[0]
    services.bid_decrypt(actor=user, bid=bids[0], content_key_b64=content_key(keys, bids[0]))
    rows = {row["bid"]: row for row in live.snapshot(lot.pk)["rows"]}
    assert set(rows) == {b.pk for b in bids}
    opened = Bid.objects.get(pk=bids[0].pk)
    first = rows[opened.pk]
    assert (first["status"], first["total_price"], first["decrypted_by"]) == \
        ("opened", str(opened.total_price), "bidder")
    assert first["bidder"] == opened.organisation.name and first["status_label"]
    assert first["enterprise_size"] == opened.enterprise_size and first["terms"] == opened.terms
    for other in bids[1:]:
        row = rows[other.pk]
        assert (row["status"], row["total_price"], row["terms"], row["enterprise_size"]) == \
            ("submitted", None, {}, "")
    assert [row["number"] for row in live.snapshot(lot.pk)["rows"]] == [1, 2, 3]


def test_the_pause_between_publications_grows_with_their_cost(monkeypatch, settings):
    """However large the record, publishing it takes at most 1 / (1 + SPACING) of the process's time."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    delays: list[float] = []

    class Timer:
        def __init__(self, delay: float, _function, args) -> None:  # type: ignore[no-untyped-def]
            delays.append(delay)
            self.daemon = False

        def start(self) -> None:
            pass

    monkeypatch.setattr(live.threading, "Timer", Timer)
    monkeypatch.setattr(live, "_cost", {})
    monkeypatch.setattr(live, "_pending", set())
    live.broadcast_later(41)
    live.broadcast_later(41)  # coalesced with the pending one
    live._cost[42] = 0.1  # the last snapshot of lot 42 took 100 ms
    live.broadcast_later(42)
    assert delays == [live.COALESCE_SECONDS, pytest.approx(live.SPACING * 0.1)]
