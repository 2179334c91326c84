from __future__ import annotations

import pytest

from ..models import Evaluation
from . import factories as f

pytestmark = pytest.mark.django_db


def test_demo_opens_the_evaluation_of_a_concluded_opening_once(demo):
    from yangguang.bidding.tests.factories import opened_lot
    from yangguang.tendering.tests.factories import organisation_of

    procedure = f.procedure_in()
    lot = procedure.lots.get()
    users = f.bidders(3)
    f.bids_closed(procedure)
    opened_lot(lot, [{"organisation": organisation_of(u), "total_price": p}
                     for u, p in zip(users, ["4500000", "4300000", "4650000"], strict=True)])
    f.released_draw(procedure)
    from yangguang.evaluation import demo as evaluation_demo

    assert "1 evaluations opened, 1 committees seated" in evaluation_demo.load()
    assert Evaluation.objects.get(lot=lot).members.count() == 5
    assert "no concluded opening" in evaluation_demo.load()
