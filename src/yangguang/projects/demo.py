"""Demo projects of 丽水市第一人民医院 (some through 浙江瓯江招标代理有限公司) in every status, registered
against the catalogue in force. Runs after the accounts and catalogue demos. Idempotent: a project whose
name already exists for the owner is skipped."""

from __future__ import annotations

from decimal import Decimal

from yangguang.accounts.models import Organisation, Region, User
from yangguang.accounts.states import OrganisationKind
from yangguang.catalogue.models import CatalogueItem
from yangguang.catalogue.selectors import version_in_force
from yangguang.catalogue.states import Category, FundingSource

from . import services
from .models import Project
from .states import ProjectStatus

OWNER = "丽水市第一人民医院"
AGENCY = "浙江瓯江招标代理有限公司"

S = ProjectStatus
# name, category, region code, budget, fundings, through the agency?, final status, staff username
PROJECTS = [
    ("丽水市第一人民医院门诊楼改扩建工程", Category.CONSTRUCTION, "331100", "48000000.00",
     [(FundingSource.BUDGET, "30000000.00"), (FundingSource.SELF_RAISED, "18000000.00")], True, S.ACCEPTED, "staff"),
    ("丽水市第一人民医院CT设备采购", Category.GOVERNMENT_PROCUREMENT, "331100", "6800000.00",
     [(FundingSource.BUDGET, "6800000.00")], True, S.ACCEPTED, "staff"),
    ("丽水市第一人民医院后勤物业服务采购", Category.GOVERNMENT_PROCUREMENT, "331100", "1200000.00",
     [(FundingSource.BUDGET, "1200000.00")], False, S.SUBMITTED, ""),
    ("医院职工停车场地块使用权出让", Category.LAND, "331100", "9500000.00",
     [(FundingSource.STATE_ASSET_PROCEEDS, "9500000.00")], False, S.DRAFT, ""),
    ("医院闲置医疗设备资产处置", Category.STATE_ASSETS, "331100", "350000.00",
     [(FundingSource.STATE_ASSET_PROCEEDS, "350000.00")], True, S.RETURNED, "staff"),
    ("医院病房楼屋顶光伏特许经营", Category.SPECIAL, "331100", "2600000.00",
     [(FundingSource.SOCIAL_CAPITAL, "2600000.00")], True, S.SUBMITTED, ""),
    ("青田分院综合楼装修工程", Category.CONSTRUCTION, "331121", "5200000.00",
     [(FundingSource.BUDGET, "5200000.00")], True, S.ACCEPTED, "staff_qingtian"),
    ("青田分院救护车采购", Category.GOVERNMENT_PROCUREMENT, "331121", "900000.00",
     [(FundingSource.BUDGET, "900000.00")], False, S.SUBMITTED, ""),
    ("云和分院医用氧气站改造工程", Category.CONSTRUCTION, "331125", "3100000.00",
     [(FundingSource.BUDGET, "2100000.00"), (FundingSource.SELF_RAISED, "1000000.00")], True, S.ACCEPTED, "staff"),
    ("缙云分院信息化系统采购", Category.GOVERNMENT_PROCUREMENT, "331122", "1800000.00",
     [(FundingSource.BUDGET, "1800000.00")], True, S.DRAFT, ""),
    ("龙泉分院配电房改造工程", Category.CONSTRUCTION, "331181", "750000.00",
     [(FundingSource.SELF_RAISED, "750000.00")], False, S.WITHDRAWN, ""),
    ("遂昌分院食堂食材配送服务", Category.GOVERNMENT_PROCUREMENT, "331123", "600000.00",
     [(FundingSource.BUDGET, "600000.00")], False, S.SUBMITTED, ""),
]


def load() -> str:
    city = Region.objects.filter(code="331100").first()
    if city is None or version_in_force(city) is None:
        return "no catalogue version in force for 331100: no demo projects created"
    owner = Organisation.objects.filter(name=OWNER, kind=OrganisationKind.PURCHASER).first()
    agency = Organisation.objects.filter(name=AGENCY, kind=OrganisationKind.AGENCY).first()
    purchaser_user = User.objects.filter(username="purchaser").first()
    agency_user = User.objects.filter(username="agency").first()
    if owner is None or agency is None or purchaser_user is None or agency_user is None:
        return "accounts demo not loaded: no demo projects created"
    created = 0
    for name, category, region_code, budget, fundings, via_agency, target, staff_name in PROJECTS:
        if Project.objects.filter(owner=owner, name=name).exists():
            continue
        region = Region.objects.filter(code=region_code).first()
        version = version_in_force(region) if region else None
        item = (CatalogueItem.objects.filter(type__version=version, type__category=category)
                .order_by("type__position", "position", "pk").first()) if version else None
        if region is None or item is None:
            continue
        actor = agency_user if via_agency else purchaser_user
        data = services.ProjectData(
            name=name, category=category, catalogue_item=item, region=region, budget=Decimal(budget),
            fundings=[(source, Decimal(amount)) for source, amount in fundings],
            responsible_leader="王院长", responsible_section="丽水市第一人民医院采购中心",
            responsible_person="李采购", responsible_phone="0578-2780000",
            description="演示项目。",
        )
        project = services.project_register(actor=actor, data=data, owner=owner, agency=agency if via_agency else None)
        created += 1
        if target == S.DRAFT:
            continue
        if target == S.WITHDRAWN:
            services.project_withdraw(actor=actor, project=project)
            continue
        project = services.project_submit(actor=actor, project=project)
        staff = User.objects.filter(username=staff_name).first() if staff_name else None
        if target == S.ACCEPTED and staff is not None:
            services.project_accept(actor=staff, project=project)
        elif target == S.RETURNED and staff is not None:
            services.project_return(actor=staff, project=project,
                                    reason="请补充资产评估报告及主管部门批准文件。")
    summary = f"{created} demo projects created ({Project.objects.filter(owner=owner).count()} in all)"
    from .demo_musttrade import load as musttrade_load

    return f"{summary}; {musttrade_load()}"
