"""Anonymity and the secret reserve, for every role and every page and endpoint of the app.

During a sale nobody but the bidder itself learns which number it holds — not other bidders, not the staff
who approved it, not the seller, not supervisors — and the reserve price appears nowhere. After the sale
the winner and the reserve are public.
"""

from __future__ import annotations

import pytest
from django.test import Client

from yangguang.accounts.states import Role
from yangguang.core.models import Event

from ..models import Registration
from ..selectors import room_snapshot
from .factories import bidder, end_countdown, live_land_lot

pytestmark = pytest.mark.django_db
RESERVE = "10500000"


def _pages(lot_id: int, registration_ids: list[int]) -> list[str]:
    return [
        "/auctions/", f"/auctions/lots/{lot_id}/", f"/auctions/lots/{lot_id}/room/", "/auctions/mine/",
        f"/auctions/lots/{lot_id}/confirmation/", "/api/v1/auctions/lots", f"/api/v1/auctions/lots/{lot_id}",
        f"/api/v1/auctions/lots/{lot_id}/bids", f"/api/v1/auctions/lots/{lot_id}/me",
        f"/api/v1/auctions/lots/{lot_id}/registrations", "/log/", "/api/v1/log/head",
    ]


def _responses(user, lot_id: int, registration_ids: list[int]) -> list[str]:
    """Every page and API answer of the app as this user sees it, plus the live room's first message."""
    client = Client()
    if user is not None:
        client.force_login(user)
    texts = [client.get(url).content.decode() for url in _pages(lot_id, registration_ids)]
    texts.append(repr(room_snapshot(user if user is not None else _anonymous(), lot_id)))
    return texts


def _seen_by(user, lot_id: int, registration_ids: list[int]) -> str:
    return "\n".join(_responses(user, lot_id, registration_ids))


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_numbers_and_reserve_stay_secret_until_the_result(demo, user_of):
    a, b = bidder(name="丽水甲竞买有限公司"), bidder(name="丽水乙竞买有限公司")
    lot, (reg_a, reg_b) = live_land_lot([a, b])
    from .. import services

    services.bid_place(actor=a, lot=lot, amount="10100000.00", idempotency_key="a1")
    services.bid_place(actor=b, lot=lot, amount="10600000.00", idempotency_key="b1")
    ids = [reg_a.pk, reg_b.pk]
    viewers = {role: user_of(role) for role in Role.values}
    viewers["anonymous"] = None
    for role, user in viewers.items():
        for text in _responses(user, lot.pk, ids):
            assert RESERVE not in text, role
            for reg in (reg_a, reg_b):
                # Numbers appear (the room shows bids by number) and staff see applicants' names, but no
                # answer ever shows a holder's name together with any bidding number.
                assert not (reg.organisation.name in text and (reg_a.bidding_number in text
                                                               or reg_b.bidding_number in text)), (role, text[:200])
    for me, mine, other in ((a, reg_a, reg_b), (b, reg_b, reg_a)):
        seen = _seen_by(me, lot.pk, ids)
        assert RESERVE not in seen
        assert mine.bidding_number in seen  # its own number, on its own page
        assert other.organisation.name not in seen
        snapshot = room_snapshot(me, lot.pk)
        assert snapshot is not None and snapshot["you"]["number"] == mine.bidding_number
    staff_view = _seen_by(user_of("staff"), lot.pk, ids)
    assert reg_a.organisation.name in staff_view  # staff approve applications by name …
    assert reg_a.bidding_number not in Client().get(f"/auctions/lots/{lot.pk}/").content.decode()
    for role in (Role.CENTRE_STAFF, Role.PURCHASER, Role.DEPARTMENT_SUPERVISOR):
        client = Client()
        client.force_login(user_of(role))
        page = client.get(f"/auctions/lots/{lot.pk}/").content.decode()
        assert reg_a.bidding_number not in page and reg_b.bidding_number not in page  # … but never the numbers
    # The public log ties no user or organisation to a bid or an application.
    for event in Event.objects.filter(action__startswith="auctions."):
        if event.action.startswith(("auctions.bid.", "auctions.registration.applied",
                                    "auctions.registration.continue")):
            assert event.actor == "bidder"
        assert "organisation" not in event.payload and RESERVE not in str(event.payload)
        assert "丽水甲竞买有限公司" not in str(event.payload)

    lot = end_countdown(lot)
    public = Client().get(f"/auctions/lots/{lot.pk}/").content.decode()
    assert "丽水乙竞买有限公司" in public and RESERVE in public.replace(",", "")
    assert reg_b.bidding_number in public
    assert lot.winner is not None
    assert Registration.objects.get(pk=reg_b.pk).bidding_number == lot.winner.bidding_number
