from __future__ import annotations

from decimal import Decimal

import pytest

from yangguang.accounts.models import Region
from yangguang.catalogue import demo as catalogue_demo
from yangguang.catalogue.models import CatalogueItem, CatalogueType, CatalogueVersion
from yangguang.catalogue.selectors import must_trade_decide, version_in_force
from yangguang.catalogue.states import Category, VersionStatus

pytestmark = pytest.mark.django_db


def test_demo_catalogue_has_the_shape_of_a_city_catalogue(demo):
    summary = catalogue_demo.load()
    assert "39 types, 413 items" in summary
    version = CatalogueVersion.objects.get()
    assert version.status == VersionStatus.ACTIVE and version.region.code == "331100"
    types = CatalogueType.objects.filter(version=version)
    assert set(types.values_list("category", flat=True)) == set(Category.values)
    assert types.count() == 39
    assert CatalogueItem.objects.filter(type__version=version).count() == 413
    works = CatalogueItem.objects.get(type__version=version, name="房屋建筑工程施工")
    assert works.rule_code == "G-003" and works.threshold == 4_000_000
    # A county without its own catalogue uses the city's.
    assert version_in_force(Region.objects.get(code="331125")) == version
    decision = must_trade_decide(item=works, funding_sources={"budget": Decimal(5_000_000)},
                                 budget=Decimal(5_000_000))
    assert decision.must_trade


def test_demo_is_idempotent(demo):
    catalogue_demo.load()
    summary = catalogue_demo.load()
    assert "already present" in summary
    assert CatalogueVersion.objects.count() == 1
    assert CatalogueItem.objects.count() == 413
