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


# --- must-trade -----------------------------------------------------------------------------------

LEADER = "supervisor_leader"


def department_leader() -> User:
    """A second person of the demo supervisor's department (住建局), who takes the leader's approval."""
    from yangguang.accounts.services import user_create
    from yangguang.accounts.states import Role

    found = User.objects.filter(username=LEADER).first()
    if found is not None:
        return found
    section = User.objects.get(username="supervisor")
    return user_create(actor="system", username=LEADER, password="yangguang-demo",  # noqa: S106
                       organisation=section.organisation, role=Role.DEPARTMENT_SUPERVISOR, display_name="吴局长")


def exemption_make(*, project: Project | None = None, until: str = "approved", name: str = "不进场测试项目",
                   **data: Any) -> Any:
    """An exemption request of an accepted must-trade project, moved through the approvals up to ``until``
    (a status of ExemptionStatus, or "rejected_at_leader")."""
    from yangguang.projects import exemptions
    from yangguang.projects.musttrade_states import ExemptionStatus

    project = project or project_make(status=ProjectStatus.ACCEPTED, name=name, **data)
    assert project.must_trade, "the factory's default project is must-trade"
    purchaser = User.objects.get(username="purchaser")
    section = User.objects.get(username="supervisor")
    exemption = exemptions.exemption_request(
        actor=purchaser, project=project, department=section.organisation, reason="抢险救灾，时间紧急",
        legal_basis="招标投标法 第66条", method="直接委托有资质的施工单位")
    if until == ExemptionStatus.SECTION_REVIEW:
        return exemption
    exemption = exemptions.exemption_decide(actor=section, exemption=exemption, approve=True, opinion="同意")
    if until == ExemptionStatus.LEADER_APPROVAL:
        return exemption
    leader = department_leader()
    if until == "rejected_at_leader":
        return exemptions.exemption_decide(actor=leader, exemption=exemption, approve=False, opinion="依据不足")
    exemption = exemptions.exemption_decide(actor=leader, exemption=exemption, approve=True, opinion="同意")
    if until == ExemptionStatus.COMMITTEE_APPROVAL:
        return exemption
    return exemptions.exemption_decide(actor=User.objects.get(username="committee"), exemption=exemption,
                                       approve=True, opinion="同意，请按时报告交易结果")
