"""Demo supplier pool: 627 approved suppliers (285 goods, 264 works, 78 services by main class) spread over
丽水市 and its counties, a few qualifications with expiry dates and 3 blacklisted suppliers. Company names
and credit codes are invented (the codes are valid check-sum-wise, generated from a serial). Idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from yangguang.accounts.models import Organisation, Region
from yangguang.accounts.states import OrganisationKind
from yangguang.core.dbclock import db_now
from yangguang.core.eventlog import event_append

from .credit_code import credit_code_generate
from .models import SupplierProfile
from .services import qualification_add, supplier_blacklist
from .states import CreditStatus, SupplierStatus, SupplyClass

EXISTING_SUPPLIER = "丽水青瓷建设工程有限公司"
COUNTS = {SupplyClass.GOODS: 285, SupplyClass.WORKS: 264, SupplyClass.SERVICES: 78}
TOTAL = sum(COUNTS.values())

WORDS = ["瓯江", "括苍", "处州", "青瓷", "宝剑", "百山", "仙都", "云和", "松阴", "龙泉", "凤阳", "白云", "南明", "大港",
         "华东", "东方", "汇丰", "鼎盛", "恒达", "宏远", "金诚", "信达", "明珠", "万象", "天和", "永安", "新华", "正泰",
         "嘉禾", "丰源", "绿谷", "山水", "睿博", "中正", "立信", "通达", "锦程", "华晟", "元亨", "中瑞"]
SUFFIXES = {
    SupplyClass.GOODS: ["医疗器械有限公司", "办公设备有限公司", "电子科技有限公司", "教学设备有限公司", "商贸有限公司",
                        "环保设备有限公司", "家具制造有限公司"],
    SupplyClass.WORKS: ["建设工程有限公司", "建筑工程有限公司", "市政工程有限公司", "水利水电工程有限公司",
                        "园林绿化工程有限公司", "交通工程有限公司", "装饰工程有限公司"],
    SupplyClass.SERVICES: ["物业管理有限公司", "工程咨询有限公司", "信息技术服务有限公司", "保安服务有限公司",
                           "会计师事务所有限公司", "检测技术有限公司"],
}
SCOPES = {
    SupplyClass.GOODS: "医疗器械、办公设备、电子产品的销售及售后服务",
    SupplyClass.WORKS: "房屋建筑工程、市政公用工程、水利水电工程施工",
    SupplyClass.SERVICES: "物业管理、工程咨询、信息技术服务",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢叶潘"
GIVEN = ["建国", "志强", "海燕", "丽华", "国平", "晓东", "春华", "伟", "敏", "军", "芳", "勇", "静", "磊"]


def _plan(regions: list[Region]) -> list[tuple[str, str, Region, str]]:
    """(name, main class, region, credit code) for every generated supplier, the same on every run."""
    rng = random.Random(20261127)  # noqa: S311 - demo data
    plan: list[tuple[str, str, Region, str]] = []
    used = {EXISTING_SUPPLIER}
    serial = 0
    for supply_class, count in COUNTS.items():
        wanted = count - (1 if supply_class == SupplyClass.WORKS else 0)  # the existing demo supplier is works
        while wanted:
            region = regions[rng.randrange(len(regions))]
            prefix = region.name if rng.random() < 0.6 else "浙江"
            name = prefix + rng.choice(WORDS) + rng.choice(SUFFIXES[supply_class])
            if name in used:
                continue
            used.add(name)
            serial += 1
            plan.append((name, supply_class, region, credit_code_generate(region_code=region.code,
                                                                          serial=serial)))
            wanted -= 1
    return plan


def _profile(organisation: Organisation, supply_class: str, rng: random.Random, now: dt.datetime
             ) -> SupplierProfile:
    extra = [c for c in SupplyClass.values if c != supply_class and rng.random() < 0.15]
    return SupplierProfile(
        organisation=organisation, primary_class=supply_class,
        classes=[c for c in SupplyClass.values if c == supply_class or c in extra],
        legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN),
        registered_capital=Decimal(rng.choice([50, 100, 200, 500, 1000, 2000, 5000, 10000])),
        address=f"浙江省{organisation.region.name}{rng.choice(WORDS)}路{rng.randint(1, 400)}号",
        business_scope=SCOPES[SupplyClass(supply_class)], status=SupplierStatus.APPROVED,
        submitted_at=now - dt.timedelta(days=rng.randint(30, 900)), reviewed_at=now,
        review_reason="", credit_status=CreditStatus.GOOD,
    )


def load() -> str:
    city = Region.objects.filter(code="331100").first()
    if city is None:
        return "suppliers: accounts demo not loaded"
    regions = list(Region.objects.filter(pk__in=city.descendant_ids()).order_by("code"))
    plan = _plan(regions)
    existing_codes = set(Organisation.objects.filter(credit_code__in=[p[3] for p in plan]).values_list(
        "credit_code", flat=True))
    missing = [p for p in plan if p[3] not in existing_codes]
    rng = random.Random(627)  # noqa: S311 - demo data
    created = 0
    with transaction.atomic():
        now = db_now()
        organisations = Organisation.objects.bulk_create([
            Organisation(name=name, kind=OrganisationKind.SUPPLIER, region=region, credit_code=code,
                         contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN))
            for name, _class, region, code in missing
        ])
        if connection_needs_refetch(organisations):
            by_code = {o.credit_code: o for o in Organisation.objects.filter(
                credit_code__in=[p[3] for p in missing]).select_related("region")}
            organisations = [by_code[p[3]] for p in missing]
        profiles = SupplierProfile.objects.bulk_create([
            _profile(org, supply_class, rng, now) for org, (_n, supply_class, _r, _c) in zip(
                organisations, missing, strict=True)
        ])
        if profiles and profiles[0].pk is None:
            profiles = list(SupplierProfile.objects.filter(organisation__in=organisations).order_by("pk"))
        for org, profile in zip(organisations, profiles, strict=True):
            event_append(action="accounts.organisation.created", actor="system", obj=org,
                         payload={"kind": org.kind, "region": org.region.code, "domains": []})
            event_append(action="suppliers.supplier.registered", actor="system", obj=profile,
                         payload={"organisation": org.pk, "classes": profile.classes, "region": org.region.code,
                                  "status": profile.status, "source": "demo"})
            created += 1
        created += _existing_supplier(rng, now)
    if created:
        _qualifications_and_blacklist(plan)
    total = SupplierProfile.objects.count()
    return f"{total} suppliers, {created} created"


def connection_needs_refetch(objects: list) -> bool:
    """Backends without RETURNING on bulk insert leave primary keys unset."""
    return bool(objects) and objects[0].pk is None


def _existing_supplier(rng: random.Random, now: dt.datetime) -> int:
    organisation = Organisation.objects.filter(name=EXISTING_SUPPLIER, kind=OrganisationKind.SUPPLIER).first()
    if organisation is None or SupplierProfile.objects.filter(organisation=organisation).exists():
        return 0
    if not organisation.credit_code:
        code = credit_code_generate(region_code=organisation.region.code, serial=0)
        Organisation.objects.filter(pk=organisation.pk).update(credit_code=code)
        organisation.credit_code = code
    profile = _profile(organisation, SupplyClass.WORKS, rng, now)
    profile.classes = [SupplyClass.WORKS.value]
    profile.business_scope = "房屋建筑工程施工总承包、市政公用工程施工"
    profile.save()
    event_append(action="suppliers.supplier.registered", actor="system", obj=profile,
                 payload={"organisation": organisation.pk, "classes": profile.classes,
                          "region": organisation.region.code, "status": profile.status, "source": "demo"})
    return 1


def _qualifications_and_blacklist(plan: list[tuple[str, str, Region, str]]) -> None:
    today = db_now().date()
    by_code = {p.organisation.credit_code: p for p in SupplierProfile.objects.select_related("organisation")
               .filter(organisation__credit_code__in=[c for *_rest, c in plan])}
    works = [by_code[c] for _n, k, _r, c in plan if k == SupplyClass.WORKS]
    goods = [by_code[c] for _n, k, _r, c in plan if k == SupplyClass.GOODS]
    qualifications = [
        (works[0], "建筑工程施工总承包二级", "D233012345", "浙江省住房和城乡建设厅", 400),
        (works[1], "市政公用工程施工总承包三级", "D333056789", "丽水市住房和城乡建设局", 20),
        (works[2], "安全生产许可证", "(浙)JZ安许证字〔2024〕110123", "浙江省住房和城乡建设厅", 700),
        (goods[0], "第二类医疗器械经营备案凭证", "浙丽食药监械经营备20240012号", "丽水市市场监督管理局", 10),
        (goods[1], "医疗器械经营许可证", "浙丽药监械经营许20230045号", "丽水市市场监督管理局", 90),
    ]
    for profile, name, number, issuer, days in qualifications:
        upload = ContentFile(f"{name} {number} demo scan".encode(), name="certificate.txt")
        qualification_add(actor="system", profile=profile, name=name, certificate_number=number, issuer=issuer,
                          valid_until=today + dt.timedelta(days=days), upload=upload)
    for profile, days, reason in [
        (works[10], 365, "串通投标，丽水市住房和城乡建设局行政处罚决定"),
        (goods[10], 180, "提供虚假材料谋取中标，丽水市财政局处理决定"),
        (works[20], 730, "转包违法分包，列入建筑市场主体“黑名单”"),
    ]:
        supplier_blacklist(actor="system", profile=profile, ends_on=today + dt.timedelta(days=days), reason=reason)
