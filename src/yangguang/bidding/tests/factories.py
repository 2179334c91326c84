"""Test data for bidding and for the apps after it (evaluation): real bid rows in the opened state.

:func:`opened_lot` writes bids as the opening would leave them (status ``opened``, price sheet read out) and a
concluded opening, without the crypto round trip — for tests of later steps. The bidding tests themselves go
through the services and the real cryptography."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from yangguang.accounts.models import Organisation
from yangguang.core.eventlog import event_append

from ..models import Bid, Opening
from ..selectors import OpenedBid, opened_bids
from ..states import BidStatus, OpeningStatus


def opened_lot(lot: Any, bids: list[dict[str, Any]]) -> list[OpenedBid]:
    """Make ``lot``'s opening concluded with these bids opened; returns :func:`.selectors.opened_bids`.

    Each dict: ``organisation`` (an Organisation or its pk; required), ``total_price`` (required),
    optional ``enterprise_size`` ("small"), ``terms`` ({}), ``price_lines`` ([]), ``decrypted_by`` ("bidder").
    """
    now = timezone.now()
    with transaction.atomic():
        opening, _created = Opening.objects.get_or_create(
            lot=lot, defaults={"started_at": now, "window_ends_at": now})
        for spec in bids:
            org = spec["organisation"]
            org_id = org.pk if isinstance(org, Organisation) else int(org)
            version = (Bid.objects.filter(lot=lot, organisation_id=org_id).count()) + 1
            Bid.objects.create(
                lot=lot, organisation_id=org_id, version=version, status=BidStatus.OPENED, suite="INTL-1",
                manifest="{}", manifest_sha256="0" * 64, signature="", price_part="price.json",
                submitted_at=now, token=secrets.token_hex(16), salt=secrets.token_hex(16),
                decrypted_by=spec.get("decrypted_by", "bidder"), decrypted_at=now,
                total_price=Decimal(str(spec["total_price"])).quantize(Decimal("0.01")),
                enterprise_size=spec.get("enterprise_size", "small"), terms=dict(spec.get("terms", {})),
                price_lines=list(spec.get("price_lines", [])))
        opening.status = OpeningStatus.CONCLUDED
        opening.bid_count = Bid.objects.filter(lot=lot, status=BidStatus.OPENED).count()
        opening.concluded_at = now
        opening.save()
        event_append(action="bidding.opening.concluded", actor="test-factory", obj=opening,
                     payload={"bids": opening.bid_count, "factory": True})
    return opened_bids(lot)
