"""Before the deadline nobody learns anything about the sealed bids: every role (and each bidder about the
others) is tried on every page and endpoint that touches bids, and the public log is read whole."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yangguang.accounts.states import Role
from yangguang.core.models import Event

from .sealing import CANARY, submit

pytestmark = pytest.mark.django_db


def _secrets(bidders):
    out = []
    for user, _keys in bidders:
        org = user.organisation
        out += [org.name, org.credit_code, user.username]
    return out


def test_no_role_learns_who_bid_how_many_or_what_before_the_deadline(tender, user_of):
    procedure, lot, bidders = tender
    for user, keys in bidders:
        submit(user, keys, lot)
    urls = ["/bidding/", f"/bidding/openings/{lot.pk}/", f"/bidding/openings/{lot.pk}/record.pdf",
            f"/tendering/{procedure.pk}/", f"/api/v1/tendering/procedures/{procedure.pk}",
            f"/api/v1/bidding/openings/{lot.pk}", "/log/", "/api/v1/bidding/shares"]
    clients = {role: user_of(role) for role in Role.values}
    names = _secrets(bidders)
    for role, user in clients.items():
        client = Client()
        client.force_login(user)
        for url in urls:
            body = client.get(url).content
            assert CANARY not in body
            text = body.decode("utf-8", "replace")
            for secret in names:
                assert secret not in text, f"{role} sees {secret} on {url}"
        assert client.get(f"/bidding/openings/{lot.pk}/").status_code in (403, 404)
        assert client.get(f"/api/v1/bidding/openings/{lot.pk}").status_code in (403, 404)
    # Each bidder sees its own bid only, never the others'.
    for user, _keys in bidders:
        client = Client()
        client.force_login(user)
        mine = client.get(f"/api/v1/bidding/lots/{lot.pk}/bids").json()
        assert len(mine) == 1
        page = client.get(f"/bidding/lots/{lot.pk}/").content.decode()
        for other, _k in bidders:
            if other != user:
                assert other.organisation.name not in page and other.organisation.credit_code not in page
    # The public log: bid events name no bidder and no lot, and hold no content.
    for event in Event.objects.filter(action__startswith="bidding."):
        text = json.dumps(event.payload, ensure_ascii=False) + event.actor + event.object_id
        assert CANARY.decode() not in text
        for secret in names:
            assert secret not in text
        if event.action.startswith(("bidding.bid.", "bidding.upload.")):
            assert event.actor == "bidder" and "lot" not in event.payload and "organisation" not in event.payload
    # And the bidding events do not count bids per lot or per procedure before the deadline.
    assert not Event.objects.filter(action__startswith="bidding.", object_type="tendering.procedure",
                                    object_id=str(procedure.pk)).exclude(
        action__in=["bidding.opening_key.created", "bidding.share.downloaded"]).exists()
