from __future__ import annotations

from decimal import Decimal

import pytest

from yangguang.accounts.models import Region
from yangguang.catalogue import services
from yangguang.catalogue.models import CatalogueVersion
from yangguang.catalogue.states import Category


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    """The accounts demo hashes a dozen passwords per test; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def city(demo) -> Region:
    return Region.objects.get(code="331100")


@pytest.fixture
def county(demo) -> Region:
    return Region.objects.get(code="331121")


@pytest.fixture
def committee(user_of):
    return user_of("committee_office")


def make_draft(actor, region: Region, title: str = "测试目录") -> CatalogueVersion:
    """A draft with one construction type and two items (施工 400万 G-003, 监理 100万 G-003)."""
    version = services.version_create(actor=actor, region=region, title=title)
    works = services.type_create(actor=actor, version=version, category=Category.CONSTRUCTION, code="GC01",
                                 name="房屋建筑工程")
    services.item_create(actor=actor, catalogue_type=works, code="GC01-001", name="房屋建筑工程施工",
                         funding_sources=["budget", "state_enterprise"], threshold=Decimal("4000000.00"),
                         rule_code="G-003", note="单项合同估算价")
    services.item_create(actor=actor, catalogue_type=works, code="GC01-002", name="房屋建筑工程监理",
                         funding_sources=["budget"], threshold=Decimal("1000000.00"), rule_code="G-003")
    return version


@pytest.fixture
def draft(committee, city) -> CatalogueVersion:
    return make_draft(committee, city)


@pytest.fixture
def active(committee, city) -> CatalogueVersion:
    return services.version_activate(actor=committee, version=make_draft(committee, city, "在用目录"))
