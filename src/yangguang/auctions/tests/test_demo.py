"""The demo: a land parcel in listing, an asset transfer and a running reverse auction, the demo supplier a
qualified bidder of each; a second run changes nothing."""

from __future__ import annotations

import pytest

from yangguang.accounts.models import User

from .. import demo as auctions_demo
from ..models import Lot, Registration
from ..states import LotStatus, Variant

pytestmark = pytest.mark.django_db


def test_demo_lots_and_the_demo_supplier_qualified(demo):
    from yangguang.catalogue import demo as catalogue_demo
    from yangguang.projects import demo as projects_demo
    from yangguang.suppliers import demo as suppliers_demo

    catalogue_demo.load()
    suppliers_demo.load()
    projects_demo.load()
    assert auctions_demo.load().startswith("3 demo lots created")
    lots = {lot.variant: lot for lot in Lot.objects.all()}
    assert lots[Variant.LAND_LISTING].status == LotStatus.LISTING
    assert lots[Variant.LAND_LISTING].current_price is not None
    assert lots[Variant.ASSET_MULTI_ROUND].status == LotStatus.ANNOUNCED
    assert lots[Variant.REVERSE].status == LotStatus.LIVE
    supplier = User.objects.get(username="supplier")
    for lot in lots.values():
        registration = Registration.objects.get(lot=lot, organisation=supplier.organisation)
        assert registration.status == "qualified" and registration.bidding_number
    assert auctions_demo.load().startswith("0 demo lots created")
