"""Demo: a 43-node specialty tree and 833 experts across 丽水市 and its counties (invented people with
valid-looking ID numbers and employers with valid credit codes), with employment history, company relations,
declared conflicts, unavailable days, training and service records; the demo ``expert`` account is linked
to one expert; one draw request for a demo project is run (sealed). Idempotent; bulk inserts (about a second).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from yangguang.accounts.models import Organisation, Region, User
from yangguang.accounts.states import OrganisationKind
from yangguang.core.dbclock import db_now
from yangguang.core.eventlog import event_append
from yangguang.suppliers.credit_code import credit_code_generate

from .id_number import id_number_check_char
from .models import (
    CompanyRelation,
    DeclaredConflict,
    DrawRequest,
    EmploymentRecord,
    Expert,
    ExpertSpecialty,
    ServiceRecord,
    Specialty,
    TrainingRecord,
    UnavailablePeriod,
)
from .states import ExpertStatus, RelationKind, TitleLevel

EXPERT_COUNT = 833

# code, name, English name, parent code
SPECIALTIES = [
    ("A", "工程类", "Works", None),
    ("A01", "房屋建筑工程", "Building works", "A"),
    ("A0101", "建筑结构", "Structures", "A01"),
    ("A0102", "建筑电气", "Building electrical", "A01"),
    ("A0103", "给排水与暖通", "Plumbing and HVAC", "A01"),
    ("A0104", "装饰装修", "Fit-out and decoration", "A01"),
    ("A02", "市政公用工程", "Municipal works", "A"),
    ("A0201", "道路与桥梁", "Roads and bridges", "A02"),
    ("A0202", "给水排水管网", "Water and sewer networks", "A02"),
    ("A0203", "园林绿化", "Landscaping", "A02"),
    ("A03", "水利水电工程", "Water resources and hydropower", "A"),
    ("A0301", "水工结构", "Hydraulic structures", "A03"),
    ("A0302", "农田水利", "Irrigation", "A03"),
    ("A04", "交通工程", "Transport works", "A"),
    ("A0401", "公路工程", "Highways", "A04"),
    ("A0402", "交通安全设施", "Traffic safety installations", "A04"),
    ("A05", "工程监理", "Construction supervision", "A"),
    ("B", "经济类", "Economics", None),
    ("B01", "工程造价", "Cost engineering", "B"),
    ("B02", "财务审计", "Finance and audit", "B"),
    ("B03", "招标采购", "Tendering and procurement", "B"),
    ("C", "货物类", "Goods", None),
    ("C01", "医疗设备", "Medical equipment", "C"),
    ("C0101", "医学影像设备", "Medical imaging", "C01"),
    ("C0102", "检验设备", "Laboratory equipment", "C01"),
    ("C0103", "手术与急救设备", "Surgical and emergency equipment", "C01"),
    ("C02", "信息化设备", "IT equipment", "C"),
    ("C0201", "计算机与网络", "Computers and networks", "C02"),
    ("C0202", "安防监控", "Security and surveillance", "C02"),
    ("C03", "办公家具", "Office furniture", "C"),
    ("C04", "车辆", "Vehicles", "C"),
    ("C05", "教学设备", "Teaching equipment", "C"),
    ("D", "服务类", "Services", None),
    ("D01", "物业管理", "Property management", "D"),
    ("D02", "信息系统运维", "IT operations", "D"),
    ("D03", "工程咨询", "Engineering consulting", "D"),
    ("D04", "法律服务", "Legal services", "D"),
    ("D05", "保险与金融", "Insurance and finance", "D"),
    ("D06", "环境影响评价", "Environmental impact assessment", "D"),
    ("E", "土地与资产类", "Land and assets", None),
    ("E01", "土地估价", "Land valuation", "E"),
    ("E02", "资产评估", "Asset valuation", "E"),
    ("E03", "测绘", "Surveying and mapping", "E"),
]

# employer, the leaf specialties its people hold, title names
EMPLOYERS = [
    ("丽水市建筑设计研究院有限公司", ["A0101", "A0102", "A0103", "A0104"], ["高级工程师", "正高级工程师"]),
    ("浙江瓯江建筑设计有限公司", ["A0101", "A0103", "A0104"], ["高级工程师"]),
    ("丽水市市政设计研究院有限公司", ["A0201", "A0202", "A0203"], ["高级工程师", "正高级工程师"]),
    ("丽水市水利水电勘测设计院", ["A0301", "A0302"], ["高级工程师"]),
    ("丽水市交通规划设计院", ["A0401", "A0402"], ["高级工程师"]),
    ("丽水市建设工程质量安全监督站", ["A0101", "A05"], ["高级工程师"]),
    ("浙江丽建工程监理有限公司", ["A05", "A0101"], ["高级工程师", "注册监理工程师"]),
    ("丽水市众诚工程造价咨询有限公司", ["B01"], ["高级经济师", "一级造价工程师"]),
    ("浙江处州造价师事务所有限公司", ["B01", "B02"], ["高级经济师", "高级会计师"]),
    ("丽水市正信会计师事务所", ["B02"], ["高级会计师", "注册会计师"]),
    ("丽水学院", ["C05", "C0201", "B02", "D06"], ["教授", "副教授"]),
    ("丽水职业技术学院", ["C05", "C0201", "A0104"], ["副教授", "高级讲师"]),
    ("丽水市人民医院", ["C0101", "C0102", "C0103"], ["主任医师", "副主任医师", "高级工程师"]),
    ("丽水市中心医院", ["C0101", "C0102", "C0103"], ["主任医师", "副主任技师"]),
    ("丽水市中医院", ["C0102", "C0103"], ["副主任医师"]),
    ("丽水市大数据发展管理局", ["C0201", "C0202", "D02"], ["高级工程师"]),
    ("浙江电信丽水分公司", ["C0201", "D02"], ["高级工程师"]),
    ("丽水市公安局科技信息化处", ["C0202"], ["高级工程师"]),
    ("丽水市机关事务管理局", ["C03", "C04", "D01"], ["高级经济师"]),
    ("丽水市物业管理协会", ["D01"], ["高级经济师"]),
    ("浙江丽阳律师事务所", ["D04"], ["一级律师", "二级律师"]),
    ("丽水市工程咨询中心", ["D03", "B01"], ["高级工程师", "咨询工程师(投资)"]),
    ("丽水市生态环境科学研究院", ["D06"], ["高级工程师"]),
    ("中国人民财产保险丽水市分公司", ["D05"], ["高级经济师"]),
    ("丽水市土地估价事务所", ["E01"], ["土地估价师", "高级经济师"]),
    ("浙江丽信资产评估有限公司", ["E02"], ["资产评估师", "高级会计师"]),
    ("丽水市测绘院", ["E03"], ["高级工程师"]),
    ("丽水市公共资源交易中心(退休)", ["B03"], ["高级经济师"]),
    ("丽水市财政局政府采购中心(退休)", ["B03", "B02"], ["高级会计师"]),
    ("丽水市交通工程建设有限公司", ["A0401", "A0402", "A05"], ["高级工程师"]),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯叶程蒋沈魏杜丁薛吕苏卢潘雷蓝钟"
GIVEN = "建国志强海燕丽华国平晓东春华伟敏军芳勇静磊卫东立群慧明振华秀英宏伟文斌小平玉兰永康红梅晓峰建平"
LINKED_EXPERT = "孙立群"


def _given(rng: random.Random) -> str:
    first = rng.randrange(0, len(GIVEN) - 1)
    return GIVEN[first:first + rng.choice([1, 2])]


def _specialties() -> dict[str, Specialty]:
    existing = {s.code: s for s in Specialty.objects.all()}
    for code, name, name_en, parent in SPECIALTIES:
        if code not in existing:
            existing[code] = Specialty.objects.create(code=code, name=name, name_en=name_en,
                                                      parent=existing[parent] if parent else None)
    return existing


def load() -> str:
    city = Region.objects.filter(code="331100").first()
    if city is None:
        return "accounts demo not loaded: no experts created"
    specialties = _specialties()
    if Expert.objects.exists():
        return f"{len(specialties)} specialties; experts already loaded ({Expert.objects.count()})"
    rng = random.Random(20260611)  # noqa: S311 - demo data
    regions = [city, *Region.objects.filter(parent=city).order_by("code")]
    weights = [40] + [8] * (len(regions) - 1)  # most experts work in the city
    employers = [(name, credit_code_generate(region_code="331100", serial=500001 + i), leaves, titles)
                 for i, (name, leaves, titles) in enumerate(EMPLOYERS)]
    now = db_now()
    today = now.date()
    experts: list[Expert] = []
    wanted: list[list[str]] = []
    used_ids: set[str] = set()
    for index in range(EXPERT_COUNT):
        name_emp, code_emp, leaves, titles = employers[rng.randrange(len(employers))]
        region = rng.choices(regions, weights)[0]
        birth = dt.date(1958, 1, 1) + dt.timedelta(days=rng.randrange(30 * 365))
        while True:
            body = f"{region.code}{birth:%Y%m%d}{rng.randrange(1000):03d}"
            number = body + id_number_check_char(body)
            if number not in used_ids:
                used_ids.add(number)
                break
        name = LINKED_EXPERT if index == 0 else rng.choice(SURNAMES) + _given(rng)
        start = today - dt.timedelta(days=rng.randrange(60, 1000))
        status = ExpertStatus.ACTIVE
        if index > 0:
            roll = rng.random()
            status = (ExpertStatus.SUSPENDED if roll < 0.02 else ExpertStatus.BLACKLISTED if roll < 0.03
                      else ExpertStatus.SUBMITTED if roll < 0.045 else ExpertStatus.ACTIVE)
        level = TitleLevel.SENIOR if rng.random() < 0.25 else TitleLevel.ASSOCIATE_SENIOR
        experts.append(Expert(
            name=name, id_number=number, title_level=level, title_name=rng.choice(titles),
            years_in_field=rng.randint(8, 35), employer_name=name_emp, employer_credit_code=code_emp,
            region=region, phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
            email=f"expert{index + 1:04d}@example.org",
            term_start=start if status != ExpertStatus.SUBMITTED else None,
            term_end=(start + dt.timedelta(days=3 * 365)) if status != ExpertStatus.SUBMITTED else None,
            status=status, status_from=today - dt.timedelta(days=30) if status in (
                ExpertStatus.SUSPENDED, ExpertStatus.BLACKLISTED) else None,
            status_until=today + dt.timedelta(days=rng.choice([90, 180, 365])) if status in (
                ExpertStatus.SUSPENDED, ExpertStatus.BLACKLISTED) else None,
            status_reason={ExpertStatus.SUSPENDED: "无正当理由拒不参加评审，暂停6个月（评标专家管理办法）",
                           ExpertStatus.BLACKLISTED: "私下接触投标人，丽水市财政局处理决定"}.get(status, ""),
            submitted_at=now - dt.timedelta(days=rng.randrange(1, 900)),
            reviewed_at=now if status != ExpertStatus.SUBMITTED else None))
        # The demo expert account belongs to a lawyer; the demo draw asks for two legal experts among others.
        chosen = ["D04"] if index == 0 else rng.sample(leaves, k=min(len(leaves), rng.choice([1, 1, 2, 2, 3])))
        wanted.append(chosen)
    with transaction.atomic():
        Expert.objects.bulk_create(experts)
        if experts[0].pk is None:
            ids = dict(Expert.objects.values_list("id_number", "pk"))
            for e in experts:
                e.pk = ids[e.id_number]
        experts[0].user = User.objects.filter(username="expert").first()
        experts[0].name = LINKED_EXPERT
        Expert.objects.filter(pk=experts[0].pk).update(user=experts[0].user)
        ExpertSpecialty.objects.bulk_create([ExpertSpecialty(expert=e, specialty=specialties[c], region=e.region)
                                             for e, codes in zip(experts, wanted, strict=True) for c in codes])
        _facts(experts, employers, rng, today)
        event_append(action="experts.pool.imported", actor="system", object_type="experts.expert", object_id="",
                     payload={"count": len(experts), "source": "demo"})
    drawn = _demo_draw()
    return f"{len(specialties)} specialties, {len(experts)} experts; {drawn}"


def _facts(experts: list[Expert], employers: list, rng: random.Random, today: dt.date) -> None:
    suppliers = list(Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).exclude(credit_code="")
                     .values_list("name", "credit_code")[:40])
    former = [(n, c) for n, c, *_rest in employers] + suppliers
    EmploymentRecord.objects.bulk_create([
        EmploymentRecord(expert=e, employer_name=n, credit_code=c, left_on=today - dt.timedelta(days=rng.randrange(
            100, 4000))) for e in experts[1:] if rng.random() < 0.3 for n, c in [rng.choice(former)]])
    relations = [(employers[0][1], employers[1][1], RelationKind.SHAREHOLDER),
                 (employers[7][1], employers[8][1], RelationKind.SAME_REPRESENTATIVE)]
    relations += [(employers[rng.randrange(len(employers))][1], c, RelationKind.PARENT_SUBSIDIARY)
                  for _n, c in suppliers[20:30]]
    CompanyRelation.objects.bulk_create([CompanyRelation(credit_code_a=a, credit_code_b=b, kind=k)
                                         for a, b, k in relations if a != b], ignore_conflicts=True)
    DeclaredConflict.objects.bulk_create([
        DeclaredConflict(expert=e, credit_code=rng.choice(former)[1], reason="配偶在该单位任职")
        for e in experts[1:] if rng.random() < 0.03])
    UnavailablePeriod.objects.bulk_create([
        UnavailablePeriod(expert=e, starts_on=(start := today + dt.timedelta(days=rng.randrange(-10, 60))),
                          ends_on=start + dt.timedelta(days=rng.randrange(0, 10)),
                          reason=rng.choice(["出差", "病假", "外出学习", "年休假"]))
        for e in experts[1:] if rng.random() < 0.08])
    TrainingRecord.objects.bulk_create([
        TrainingRecord(expert=e, title=rng.choice(["评标专家继续教育", "政府采购评审专家业务培训",
                                                   "电子评标系统操作培训"]),
                       completed_on=today - dt.timedelta(days=rng.randrange(10, 700)), hours=rng.choice([8, 12, 16]))
        for e in experts if rng.random() < 0.6])
    purchasers = [("丽水市第一人民医院", credit_code_generate(region_code="331100", serial=600001)),
                  ("丽水市教育局", credit_code_generate(region_code="331100", serial=600002)),
                  ("丽水市住房和城乡建设局", credit_code_generate(region_code="331100", serial=600003))]
    ServiceRecord.objects.bulk_create([
        ServiceRecord(expert=e, purchaser_name=p[0], purchaser_credit_code=p[1], attended=rng.random() > 0.03,
                      served_on=today - dt.timedelta(days=rng.randrange(5, 700)))
        for e in experts[1:] if e.status == ExpertStatus.ACTIVE and rng.random() < 0.4
        for p in [rng.choice(purchasers)]])


def _demo_draw() -> str:
    from yangguang.projects.models import Project
    from yangguang.projects.states import ProjectStatus

    from .services import draw_request_create, draw_run

    project = Project.objects.filter(name="丽水市第一人民医院后勤物业服务采购").first() or \
        Project.objects.filter(status=ProjectStatus.ACCEPTED).order_by("pk").first()
    staff = User.objects.filter(username="staff").first()
    if project is None or staff is None:
        return "no demo project: no demo draw"
    if DrawRequest.objects.filter(project=project).exists():
        return "demo draw exists"
    request = draw_request_create(
        actor=staff, project=project, purchaser_credit_code=credit_code_generate(region_code="331100", serial=600001),
        bidder_credit_codes=list(Organisation.objects.filter(kind=OrganisationKind.SUPPLIER)
                                 .exclude(credit_code="").values_list("credit_code", flat=True)[:6]),
        quotas=[("D01", 2), ("B01", 1), ("D04", 2)], backups=2, region_scope="local",
        evaluation_at=db_now() + dt.timedelta(days=3), venue="丽水市公共资源交易中心 第3评标室")
    draw_run(actor=staff, request=request)
    return f"demo draw #{request.pk} run and sealed"
