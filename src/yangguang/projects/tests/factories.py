"""Test data for project intake: a small catalogue in force for 丽水市 and projects in any status."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from yangguang.accounts.models import Organisation, Region, User
from yangguang.accounts.states import OrganisationKind
from yangguang.catalogue.models import CatalogueItem, CatalogueType, CatalogueVersion
from yangguang.catalogue.states import Category, FundingSource, VersionStatus
from yangguang.projects import services
from yangguang.projects.models import Project
from yangguang.projects.states import ProjectStatus

# category → (item code, funding sources in scope, threshold in yuan)
ITEMS = {
    Category.CONSTRUCTION: ("T-GC-01", [FundingSource.BUDGET, FundingSource.STATE_ENTERPRISE], "4000000"),
    Category.GOVERNMENT_PROCUREMENT: ("T-CG-01", [FundingSource.BUDGET], "1000000"),
    Category.LAND: ("T-TD-01", [], None),
    Category.STATE_ASSETS: ("T-ZC-01", [], "100000"),
    Category.SPECIAL: ("T-TZ-01", [], None),
}


def catalogue_setup() -> dict[str, CatalogueItem]:
    """An active catalogue version for 丽水市 (331100) with one item per category; reuses what exists."""
    city = Region.objects.get(code="331100")
    version = CatalogueVersion.objects.filter(region=city, status=VersionStatus.ACTIVE).first()
    if version is None:
        number = CatalogueVersion.objects.filter(region=city).count() + 1
        version = CatalogueVersion.objects.create(region=city, number=number, title="测试交易目录",
                                                  status=VersionStatus.ACTIVE)
    items: dict[str, CatalogueItem] = {}
    for position, (category, (code, sources, threshold)) in enumerate(ITEMS.items()):
        type_, _created = CatalogueType.objects.get_or_create(
            version=version, code=f"T-{position}", defaults={"category": category, "name": f"类型{position}",
                                                             "position": position})
        item, _created = CatalogueItem.objects.get_or_create(
            type=type_, code=code, defaults={"name": f"测试事项{code}", "funding_sources": [str(s) for s in sources],
                                             "threshold": Decimal(threshold) if threshold else None,
                                             "rule_code": "G-001"})
        items[category] = item
    return items


def project_data(*, category: str = Category.CONSTRUCTION, region_code: str = "331100", budget: str = "5000000.00",
                 fundings: list[tuple[str, str]] | None = None, **overrides: Any) -> services.ProjectData:
    items = catalogue_setup()
    values: dict[str, Any] = {
        "name": "测试工程", "category": category, "catalogue_item": items[category],
        "region": Region.objects.get(code=region_code), "budget": Decimal(budget),
        "fundings": [(s, Decimal(a)) for s, a in (fundings or [(FundingSource.BUDGET, budget)])],
        "responsible_leader": "王院长", "responsible_section": "采购科", "responsible_person": "李采购",
        "responsible_phone": "0578-2780000",
    }
    values.update(overrides)
    return services.ProjectData(**values)


def agency_org() -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.AGENCY, name="浙江瓯江招标代理有限公司")


def project_make(*, status: str = ProjectStatus.DRAFT, region_code: str = "331100", with_agency: bool = True,
                 **data: Any) -> Project:
    """A project of the demo purchaser in the given status, moved there through the services."""
    purchaser = User.objects.get(username="purchaser")
    staff_name = "staff_qingtian" if region_code == "331121" else "staff"
    project = services.project_register(actor=purchaser, data=project_data(region_code=region_code, **data),
                                        agency=agency_org() if with_agency else None)
    if status == ProjectStatus.DRAFT:
        return project
    if status == ProjectStatus.WITHDRAWN:
        return services.project_withdraw(actor=purchaser, project=project)
    project = services.project_submit(actor=purchaser, project=project)
    staff = User.objects.get(username=staff_name)
    if status == ProjectStatus.ACCEPTED:
        return services.project_accept(actor=staff, project=project)
    if status == ProjectStatus.RETURNED:
        return services.project_return(actor=staff, project=project, reason="缺少立项批复")
    return project
