"""Must-trade demo: exemption requests in every state, an overdue post-trade report (a violation referred to
discipline inspection), a reported result with an anomaly (an investigation under way), a department's
project list with one escaped project, and an API key for the demo finance bureau.

The exemptions are back-dated: while they are created the services' database clock (``core.dbclock``) is
set some weeks back, so the overdue report is overdue by today's date, as it would be in real use. The
event log keeps its real append times. The finance key is written to ``var/demo-finance-api-key.txt``
(mode 0600) and never printed. Idempotent: nothing is done when the first demo project exists.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from yangguang.accounts.models import Organisation, User
from yangguang.accounts.states import OrganisationKind, Role
from yangguang.catalogue.models import CatalogueItem
from yangguang.catalogue.selectors import version_in_force
from yangguang.catalogue.states import Category, FundingSource
from yangguang.core import dbclock

from . import exemptions, investigations, reports, services
from .imports import project_list_import
from .models import Investigation, Project
from .states import ProjectStatus

LEADER = "supervisor_leader"
KEY_NAME = "丽水市财政局国库集中支付系统（演示）"
# name, budget, what happens
PROJECTS = [
    ("瓯江大桥应急抢险加固工程", "8600000.00", "overdue"),
    ("医院传染病区应急改造工程", "5200000.00", "anomaly"),
    ("医院信息机房安全加固工程", "4600000.00", "leader"),
    ("医院职工食堂改造工程", "4300000.00", "rejected"),
    ("医院污水处理站改造工程", "4900000.00", "section"),
]


@contextmanager
def _clock(moment: dt.datetime | None) -> Iterator[None]:
    real = dbclock.db_now
    if moment is not None:
        dbclock.db_now = lambda: moment  # type: ignore[assignment]
    try:
        yield
    finally:
        dbclock.db_now = real  # type: ignore[assignment]


def _leader(section: User) -> User:
    from yangguang.accounts.demo import DEMO_PASSWORD
    from yangguang.accounts.services import user_create

    return User.objects.filter(username=LEADER).first() or user_create(
        actor="system", username=LEADER, password=DEMO_PASSWORD, organisation=section.organisation,
        role=Role.DEPARTMENT_SUPERVISOR, display_name="吴局长")


def _accepted_project(name: str, budget: str, item: CatalogueItem, purchaser: User, staff: User) -> Project:
    data = services.ProjectData(
        name=name, category=Category.CONSTRUCTION, catalogue_item=item, region=item.type.version.region,
        budget=Decimal(budget), fundings=[(FundingSource.BUDGET, Decimal(budget))], responsible_leader="王院长",
        responsible_section="丽水市第一人民医院基建科", responsible_person="李采购", responsible_phone="0578-2780000",
        description="演示项目（应进必进）。")
    project = services.project_register(actor=purchaser, data=data)
    project = services.project_submit(actor=purchaser, project=project)
    return services.project_accept(actor=staff, project=project)


def _finance_key(admin: User) -> str:
    from yangguang.accounts.apikey_models import ApiKey
    from yangguang.accounts.apikeys import apikey_issue

    finance = Organisation.objects.filter(kind=OrganisationKind.FINANCE).order_by("pk").first()
    if finance is None or ApiKey.objects.filter(name=KEY_NAME, revoked_at__isnull=True).exists():
        return "finance key present" if finance else "no finance organisation"
    _row, key = apikey_issue(actor=admin, organisation=finance, name=KEY_NAME, scopes=["funding_check"])
    path = settings.VAR_DIR / "demo-finance-api-key.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return f"finance API key written to {path.name} in the var folder"


def load() -> str:
    names = {u: User.objects.filter(username=u).first() for u in
             ("purchaser", "staff", "supervisor", "committee", "discipline", "admin")}
    if any(user is None for user in names.values()):
        return "must-trade: accounts demo not loaded"
    purchaser, staff, section, committee, discipline, admin = (u for u in names.values() if u is not None)
    city = purchaser.organisation.region  # type: ignore[union-attr]
    version = version_in_force(city)
    item = (CatalogueItem.objects.select_related("type__version__region").filter(
        type__version=version, type__category=Category.CONSTRUCTION).order_by("type__position", "position", "pk")
        .first()) if version else None
    if item is None:
        return "must-trade: no catalogue in force"
    key_note = _finance_key(admin)  # type: ignore[arg-type]
    if Project.objects.filter(name=PROJECTS[0][0]).exists():
        return f"must-trade demo already present; {key_note}"
    leader = _leader(section)  # type: ignore[arg-type]
    now = dbclock.db_now()
    done = []
    for name, budget, fate in PROJECTS:
        weeks_back = now - dt.timedelta(days=40 if fate == "overdue" else 8)
        with _clock(weeks_back):
            project = _accepted_project(name, budget, item, purchaser, staff)  # type: ignore[arg-type]
            if not project.must_trade:
                continue
            ex = exemptions.exemption_request(
                actor=purchaser, project=project, department=section.organisation,  # type: ignore[union-attr]
                reason="汛期险情，须立即组织抢修，来不及进场招标。" if fate == "overdue"
                else "涉及应急和安全，须尽快实施。",
                legal_basis="《中华人民共和国招标投标法》第六十六条；《浙江省公共资源交易管理办法》",
                method="经市政府常务会议研究，直接委托具备相应资质的单位实施")
            if fate == "section":
                done.append(fate)
                continue
            ex = exemptions.exemption_decide(actor=section, exemption=ex, approve=True, opinion="材料齐全，同意上报。")
            if fate == "leader":
                done.append(fate)
                continue
            if fate == "rejected":
                exemptions.exemption_decide(actor=leader, exemption=ex, approve=False,
                                            opinion="不属于可以不进行招标的法定情形，应进场公开招标。")
                done.append(fate)
                continue
            ex = exemptions.exemption_decide(actor=leader, exemption=ex, approve=True, opinion="同意。")
            ex = exemptions.exemption_decide(actor=committee, exemption=ex, approve=True,
                                             opinion="同意不进场交易，交易完成后20日内报告交易结果。")
            ex = exemptions.exemption_publish(actor=staff, exemption=ex)
        trade_day = (weeks_back + dt.timedelta(days=5)).date()
        with _clock(weeks_back + dt.timedelta(days=5, hours=2)):
            ex = exemptions.exemption_trade_record(actor=purchaser, exemption=ex, trade_date=trade_day)
        if fate == "overdue":
            with transaction.atomic():
                reports.exemption_report_check(ex, dbclock.db_now())
        else:
            report = reports.report_submit(actor=purchaser, exemption=ex, summary="演示：应急改造直接委托。",
                                           contracts=[{"supplier": "丽水市瓯江建设工程有限公司",
                                                       "amount": str(Decimal(budget) * Decimal("1.35"))}])
            case = Investigation.objects.filter(report=report).first()
            if case is not None:
                case = investigations.investigation_assign(actor=committee, case=case,
                                                           assignees=[committee, discipline])
                investigations.investigation_findings(actor=discipline, case=case,
                                                      findings="合同价超出预算35%，正在核实变更签证依据。")
        done.append(fate)
    department = section.organisation  # type: ignore[union-attr]
    batch = project_list_import(actor=committee, department=department, source="api", rows=[  # type: ignore[arg-type]
        {"reference": "2026-331100-48-01-000101", "name": PROJECTS[0][0], "owner": "丽水市第一人民医院",
         "category": "construction", "budget": PROJECTS[0][1], "funding_source": "budget", "region": "331100"},
        {"reference": "2026-331100-48-01-000102", "name": "丽水市体育中心看台维修工程", "owner": "丽水市体育局",
         "category": "construction", "budget": "7300000.00", "funding_source": "budget", "region": "331100"},
        {"reference": "2026-331100-48-01-000103", "name": "丽水市某社区路灯更换", "owner": "丽水市某街道",
         "category": "construction", "budget": "180000.00", "funding_source": "budget", "region": "331100"},
    ])
    accepted = Project.objects.filter(name__in=[p[0] for p in PROJECTS], status=ProjectStatus.ACCEPTED).count()
    return (f"must-trade: {accepted} projects, exemptions {', '.join(done)}; project list with {batch.unmatched} "
            f"escaped project; {key_note}")
