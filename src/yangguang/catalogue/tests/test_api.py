from __future__ import annotations

import pytest
from django.test import Client

from yangguang.catalogue.models import CatalogueItem

pytestmark = pytest.mark.django_db
BASE = "/api/v1/catalogue"


def test_items_of_the_version_in_force_are_public_and_counties_fall_back(active, draft):
    response = Client().get(f"{BASE}/items", {"region": "331121"})
    assert response.status_code == 200
    data = response.json()
    assert [i["code"] for i in data] == ["GC01-001", "GC01-002"]
    assert data[0]["rule_code"] == "G-003" and data[0]["version"] == str(active)
    found = Client().get(f"{BASE}/items", {"region": "331100", "q": "监理"}).json()
    assert [i["code"] for i in found] == ["GC01-002"]


def test_unknown_region_is_a_validation_error(active):
    response = Client().get(f"{BASE}/items", {"region": "999999"})
    assert response.status_code == 422 and response.json()["code"] == "unknown_region"


def test_must_trade(active):
    item = CatalogueItem.objects.get(type__version=active, code="GC01-001")
    yes = Client().get(f"{BASE}/must-trade", {"item": str(item.pk), "budget": "5000000",
                                               "funding": "budget:3000000,self_raised:2000000"}).json()
    assert yes["must_trade"] is True and yes["rule_code"] == "G-003" and yes["version"] == str(active)
    below = Client().get(f"{BASE}/must-trade", {"item": str(item.pk), "budget": "3000000", "funding": "budget:3000000"})
    assert below.status_code == 200 and below.json()["must_trade"] is False


@pytest.mark.parametrize("params, field", [
    ({"budget": "lots", "funding": "budget:1"}, "budget"),
    ({"budget": "-5", "funding": "budget:1"}, "budget"),
    ({"budget": "100", "funding": "budget"}, "funding"),
    ({"budget": "100", "funding": "budget:x"}, "funding"),
])
def test_bad_must_trade_input(active, params: dict[str, str], field: str):
    item = CatalogueItem.objects.get(type__version=active, code="GC01-001")
    response = Client().get(f"{BASE}/must-trade", {"item": str(item.pk), **params})
    assert response.status_code == 422 and response.json()["field"] == field


def test_unknown_item(active):
    response = Client().get(f"{BASE}/must-trade", {"item": "999999", "budget": "1"})
    assert response.status_code == 422 and response.json()["code"] == "unknown_item"
