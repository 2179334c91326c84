from __future__ import annotations

from decimal import Decimal

import pytest

from yangguang.catalogue import services
from yangguang.catalogue.models import CatalogueItem, CatalogueType, CatalogueVersion
from yangguang.catalogue.selectors import must_trade_decide, version_in_force
from yangguang.catalogue.states import Category, VersionStatus
from yangguang.core.errors import IllegalTransition, ValidationFailed
from yangguang.core.models import Event

from .conftest import make_draft

pytestmark = pytest.mark.django_db


def test_versions_are_numbered_per_region_and_logged(committee, city, county):
    first = services.version_create(actor=committee, region=city, title="一")
    second = services.version_create(actor=committee, region=city, title="二")
    own = services.version_create(actor=committee, region=county, title="县")
    assert (first.number, second.number, own.number) == (1, 2, 1)
    assert first.status == VersionStatus.DRAFT
    event = Event.objects.filter(action="catalogue.version.created").order_by("-seq")[0]
    assert event.payload == {"region": "331121", "number": 1}
    assert event.actor == f"user:{committee.pk}"


def test_duplicate_item_code_is_refused_without_side_effect(committee, draft):
    works = draft.types.get()
    events = Event.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.item_create(actor=committee, catalogue_type=works, code="GC01-001", name="重复")
    assert caught.value.field == "code"
    assert Event.objects.count() == events
    assert CatalogueItem.objects.filter(type__version=draft).count() == 2


def test_bad_fields_are_refused(committee, draft):
    works = draft.types.get()
    with pytest.raises(ValidationFailed) as caught:
        services.item_create(actor=committee, catalogue_type=works, code="X1", name="x", funding_sources=["gold"])
    assert caught.value.field == "funding_sources"
    with pytest.raises(ValidationFailed) as caught:
        services.item_create(actor=committee, catalogue_type=works, code="X1", name="x", rule_code="G3")
    assert caught.value.field == "rule_code"
    with pytest.raises(ValidationFailed):
        services.type_create(actor=committee, version=draft, category="weather", code="Q1", name="q")


def test_version_in_force_cannot_be_edited_and_nothing_changes(committee, active):
    item = CatalogueItem.objects.get(type__version=active, code="GC01-001")
    works = item.type
    events = Event.objects.count()
    with pytest.raises(IllegalTransition):
        services.item_update(actor=committee, item=item, code="GC01-001", name="改名", threshold=Decimal("1"))
    with pytest.raises(IllegalTransition):
        services.item_delete(actor=committee, item=item)
    with pytest.raises(IllegalTransition):
        services.item_create(actor=committee, catalogue_type=works, code="GC01-009", name="新增")
    with pytest.raises(IllegalTransition):
        services.type_update(actor=committee, catalogue_type=works, category=Category.LAND, code="GC01", name="土地")
    with pytest.raises(IllegalTransition):
        services.type_create(actor=committee, version=active, category=Category.LAND, code="TD01", name="土地")
    item.refresh_from_db()
    assert (item.name, item.threshold) == ("房屋建筑工程施工", Decimal("4000000.00"))
    assert CatalogueType.objects.filter(version=active).count() == 1
    assert Event.objects.count() == events


def test_update_and_delete_in_draft(committee, draft):
    item = CatalogueItem.objects.get(type__version=draft, code="GC01-002")
    services.item_update(actor=committee, item=item, code="GC01-002", name="房屋建筑工程监理服务",
                         funding_sources=["budget", "state_financing"], threshold=Decimal("1500000"),
                         rule_code="G-003")
    item.refresh_from_db()
    assert item.name == "房屋建筑工程监理服务"
    assert item.funding_sources == ["budget", "state_financing"]
    services.type_update(actor=committee, catalogue_type=item.type, category=Category.CONSTRUCTION, code="GC02",
                         name="市政公用工程")
    services.item_delete(actor=committee, item=item)
    assert list(CatalogueItem.objects.filter(type__version=draft).values_list("code", flat=True)) == ["GC01-001"]
    assert Event.objects.filter(action="catalogue.item.deleted", payload__contains='"code":"GC01-002"').exists()


def test_activation_retires_the_previous_version(committee, city, active):
    successor = make_draft(committee, city, "新版")
    services.version_activate(actor=committee, version=successor)
    active.refresh_from_db()
    successor.refresh_from_db()
    assert active.status == VersionStatus.RETIRED
    assert successor.status == VersionStatus.ACTIVE
    assert successor.activated_at is not None
    assert version_in_force(city) == successor
    assert Event.objects.filter(action="catalogue.version.retired", object_id=str(active.pk)).exists()
    with pytest.raises(IllegalTransition):
        services.version_activate(actor=committee, version=active)


def test_empty_version_cannot_be_activated(committee, city, active):
    empty = services.version_create(actor=committee, region=city, title="空")
    with pytest.raises(ValidationFailed):
        services.version_activate(actor=committee, version=empty)
    active.refresh_from_db()
    assert active.status == VersionStatus.ACTIVE


def test_copy_makes_a_draft_with_every_type_and_item(committee, active):
    copy = services.version_copy(actor=committee, source=active, title="修订稿")
    assert copy.status == VersionStatus.DRAFT
    assert copy.number == active.number + 1
    fields = ("type__category", "type__code", "type__name", "code", "name", "funding_sources", "threshold",
              "rule_code", "note")
    assert list(CatalogueItem.objects.filter(type__version=copy).order_by("code").values_list(*fields)) == \
        list(CatalogueItem.objects.filter(type__version=active).order_by("code").values_list(*fields))
    item = CatalogueItem.objects.get(type__version=copy, code="GC01-001")
    services.item_update(actor=committee, item=item, code="GC01-001", name="改", threshold=Decimal("1"))
    assert CatalogueItem.objects.get(type__version=active, code="GC01-001").name == "房屋建筑工程施工"


def test_county_falls_back_to_city_until_it_has_its_own(committee, county, active):
    assert version_in_force(county) == active
    own = services.version_activate(actor=committee, version=make_draft(committee, county, "青田县目录"))
    assert version_in_force(county) == own
    assert CatalogueVersion.objects.get(pk=active.pk).status == VersionStatus.ACTIVE  # the city's stays


def test_must_trade_decision(active):
    works = CatalogueItem.objects.select_related("type__version").get(type__version=active, code="GC01-001")
    yes = must_trade_decide(item=works, funding_sources={"budget": Decimal("5000000")}, budget=Decimal("5000000"))
    assert yes.must_trade and yes.rule_code == "G-003" and yes.item_code == "GC01-001"
    below = must_trade_decide(item=works, funding_sources={"budget": Decimal("1")}, budget=Decimal("3999999.99"))
    assert not below.must_trade
    at = must_trade_decide(item=works, funding_sources={"budget": Decimal("1")}, budget=Decimal("4000000"))
    assert at.must_trade  # 以上 includes the number itself
    private = must_trade_decide(item=works, funding_sources={"social_capital": Decimal("9e7")},
                                budget=Decimal("9e7"))
    assert not private.must_trade
