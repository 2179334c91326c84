"""Demo: 丽水市 and 8 counties (real division names and codes, invented organisations and people), 7 county
centres active (云和县's is not: its trades run at the city centre), and one account per role.

Every demo account's password is DEMO_PASSWORD. Idempotent."""

from __future__ import annotations

from .models import Centre, Organisation, Region, User
from .services import organisation_create, user_create
from .states import Domain, OrganisationKind, Role

DEMO_PASSWORD = "yangguang-demo"  # noqa: S105 - demo accounts only, printed by `make run`

CITY = ("331100", "丽水市", "Lishui")
COUNTIES = [
    ("331121", "青田县", "Qingtian", True),
    ("331122", "缙云县", "Jinyun", True),
    ("331123", "遂昌县", "Suichang", True),
    ("331124", "松阳县", "Songyang", True),
    ("331125", "云和县", "Yunhe", False),
    ("331126", "庆元县", "Qingyuan", True),
    ("331127", "景宁畲族自治县", "Jingning", True),
    ("331181", "龙泉市", "Longquan", True),
]

# username, role, organisation name, organisation kind, display name, domains
DEMO_ACCOUNTS = [
    ("staff", Role.CENTRE_STAFF, "丽水市公共资源交易中心", OrganisationKind.TRADING_CENTRE, "陈受理", []),
    ("admin", Role.PLATFORM_ADMIN, "丽水市公共资源交易中心", OrganisationKind.TRADING_CENTRE, "周管理", []),
    ("committee", Role.COMMITTEE_OFFICE, "丽水市公共资源交易管理委员会办公室", OrganisationKind.COMMITTEE_OFFICE,
     "王协调", []),
    ("purchaser", Role.PURCHASER, "丽水市第一人民医院", OrganisationKind.PURCHASER, "李采购", []),
    ("agency", Role.AGENCY, "浙江瓯江招标代理有限公司", OrganisationKind.AGENCY, "赵代理", []),
    ("supplier", Role.SUPPLIER, "丽水青瓷建设工程有限公司", OrganisationKind.SUPPLIER, "钱投标", []),
    ("expert", Role.EXPERT, None, None, "孙评审", []),
    ("supervisor", Role.DEPARTMENT_SUPERVISOR, "丽水市住房和城乡建设局", OrganisationKind.DEPARTMENT, "吴监督",
     [Domain.HOUSING_CONSTRUCTION]),
    ("discipline", Role.DISCIPLINE_INSPECTION, "丽水市纪委监委派驻纪检监察组", OrganisationKind.DISCIPLINE_INSPECTION,
     "郑纪检", []),
    ("audit", Role.AUDIT, "丽水市审计局", OrganisationKind.AUDIT, "冯审计", []),
    ("finance", Role.FINANCE, "丽水市财政局", OrganisationKind.FINANCE, "褚财政", []),
]

DEPARTMENTS = [
    ("丽水市发展和改革委员会", [Domain.DEVELOPMENT_REFORM]),
    ("丽水市财政局（政府采购监管处）", [Domain.FINANCE]),
    ("丽水市自然资源和规划局", [Domain.NATURAL_RESOURCES]),
    ("丽水市人民政府国有资产监督管理委员会", [Domain.STATE_ASSETS]),
    ("丽水市卫生健康委员会", [Domain.HEALTH]),
    ("丽水市交通运输局", [Domain.TRANSPORT]),
    ("丽水市水利局", [Domain.WATER]),
    ("丽水市农业农村局", [Domain.AGRICULTURE]),
]


def _org(name: str, kind: str, region: Region, domains: list[str] | None = None) -> Organisation:
    found = Organisation.objects.filter(name=name, kind=kind).first()
    return found or organisation_create(actor="system", name=name, kind=kind, region=region, domains=domains)


def load() -> str:
    city, _ = Region.objects.get_or_create(code=CITY[0], defaults={"name": CITY[1], "name_en": CITY[2],
                                                                  "level": Region.Level.CITY})
    Centre.objects.get_or_create(region=city, defaults={"name": "丽水市公共资源交易中心", "code": "LS",
                                                        "name_en": "Lishui Public Resource Trading Centre"})
    for code, name, name_en, active in COUNTIES:
        county, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en,
                                                                      "level": Region.Level.COUNTY,
                                                                      "parent": city})
        Centre.objects.get_or_create(region=county, defaults={
            "name": f"{name}公共资源交易中心", "code": f"LS{code[-2:]}", "is_active": active,
            "name_en": f"{name_en} Public Resource Trading Centre"})
        if active:
            _org(f"{name}公共资源交易中心", OrganisationKind.TRADING_CENTRE, county)
    for name, domains in DEPARTMENTS:
        _org(name, OrganisationKind.DEPARTMENT, city, list(domains))
    created = 0
    for username, role, org_name, kind, display, domains in DEMO_ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        org = _org(org_name, kind, city, list(domains)) if org_name and kind else None
        user_create(actor="system", username=username, password=DEMO_PASSWORD, organisation=org, role=role,
                    display_name=display)
        created += 1
    # A county staff account, to show that staff see their own centre only.
    if not User.objects.filter(username="staff_qingtian").exists():
        county = Region.objects.get(code="331121")
        org = _org("青田县公共资源交易中心", OrganisationKind.TRADING_CENTRE, county)
        user_create(actor="system", username="staff_qingtian", password=DEMO_PASSWORD, organisation=org,
                    role=Role.CENTRE_STAFF, display_name="林青田")
        created += 1
    return f"{Region.objects.count()} regions, {Centre.objects.filter(is_active=True).count()} active centres, " \
           f"{created} accounts created"
