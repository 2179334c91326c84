"""Demo procedures on the demo projects (runs after the accounts, suppliers, projects and notices demos):

- 门诊楼改扩建工程: a works open tender, published, four pool suppliers registered, one anonymous question
  answered by a clarification;
- CT设备采购: a procurement open tender still in draft, documents uploaded;
- 云和分院医用氧气站改造工程: a tender terminated (with its notice) and re-tendered as a linked draft.

Idempotent: a procedure whose title already exists on its project is skipped."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from yangguang.accounts.models import User
from yangguang.projects.models import Project
from yangguang.projects.states import ProjectStatus
from yangguang.suppliers.models import SupplierProfile
from yangguang.suppliers.states import CreditStatus, SupplierStatus, SupplyClass

from . import services
from .models import Procedure

WORKS_CRITERIA = [{"name": "投标报价", "weight": 60, "kind": "price"},
                  {"name": "施工组织设计", "weight": 30, "kind": "technical"},
                  {"name": "项目管理机构", "weight": 10, "kind": "commercial"}]


def _project(name: str) -> Project | None:
    return Project.objects.filter(name=name, status=ProjectStatus.ACCEPTED).first()


def _draft(agency: User, project: Project, title: str, **data: Any) -> Procedure | None:
    if Procedure.objects.filter(project=project, title=title).exists():
        return None
    values: dict[str, Any] = {"title": title, "qualification_requirements": "具备相应资质，近三年无重大违法记录",
                                 "document_days": 5, "bid_days": 20, "place": project.region.name}
    values.update(data)
    procedure = services.procedure_create(actor=agency, project=project, data=services.ProcedureData(**values))
    services.document_upload(actor=agency, procedure=procedure,
                             upload=ContentFile(f"{title} 招标文件（演示）".encode(), name="招标文件.pdf"))
    return procedure


def load() -> str:
    agency = User.objects.filter(username="agency").first()
    if agency is None:
        return "tendering: accounts demo not loaded"
    made = 0
    outpatient = _project("丽水市第一人民医院门诊楼改扩建工程")
    if outpatient is not None:
        procedure = _draft(agency, outpatient, "门诊楼改扩建工程施工总承包", method="works_open",
                           evaluation_method="comprehensive_evaluation", evaluation_criteria=WORKS_CRITERIA,
                           lots=[services.LotData("施工总承包", "46000000.00", "45000000.00", "800000.00")],
                           description="门诊楼拆除重建及配套工程，建筑面积约2.1万平方米")
        if procedure is not None:
            published, _warnings = services.procedure_publish(actor=agency, procedure=procedure)
            lot = published.lots.get()
            bidders = list(SupplierProfile.objects.filter(
                status=SupplierStatus.APPROVED, credit_status=CreditStatus.GOOD, primary_class=SupplyClass.WORKS,
                organisation__region__code="331100").select_related("organisation").order_by("pk")[:4])
            for profile in bidders:
                services.registration_create(actor="system", lot=lot, organisation=profile.organisation)
            services.clarification_publish(actor=agency, procedure=published,
                                           text="关于工期的答疑：总工期为540日历天，不接受分期竣工。")
            made += 1
    ct = _project("丽水市第一人民医院CT设备采购")
    if ct is not None and _draft(agency, ct, "64排CT设备采购", method="procurement_open",
                                 evaluation_method="comprehensive_score",
                                 evaluation_criteria=[{"name": "价格", "weight": 30, "kind": "price"},
                                                      {"name": "技术参数", "weight": 50, "kind": "technical"},
                                                      {"name": "售后服务", "weight": 20, "kind": "commercial"}],
                                 lots=[services.LotData("64排CT", "6800000.00", "6800000.00", "100000.00")],
                                 document_days=7) is not None:
        made += 1
    oxygen = _project("云和分院医用氧气站改造工程")
    if oxygen is not None:
        procedure = _draft(agency, oxygen, "医用氧气站改造工程施工", method="works_open",
                           evaluation_method="lowest_evaluated_price",
                           lots=[services.LotData("施工", "3100000.00", "3000000.00", "50000.00")])
        if procedure is not None:
            published, _warnings = services.procedure_publish(actor=agency, procedure=procedure)
            terminated = services.procedure_terminate(actor=agency, procedure=published,
                                                      reason="设计方案调整，原招标范围发生重大变化")
            services.procedure_retender(actor=agency, procedure=terminated)
            made += 1
    return f"{Procedure.objects.count()} procedures, {made} demo procedures created"
