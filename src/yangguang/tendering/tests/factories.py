"""Test data for tendering: an accepted project, approved pool suppliers with accounts, procedures in any
state — all made through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.core.files.base import ContentFile

from yangguang.accounts.models import Organisation, Region, User
from yangguang.catalogue.states import Category
from yangguang.projects.models import Project
from yangguang.projects.states import ProjectStatus
from yangguang.projects.tests.factories import project_make
from yangguang.suppliers.credit_code import credit_code_generate
from yangguang.suppliers.services import supplier_approve, supplier_register
from yangguang.tendering import services
from yangguang.tendering.models import Procedure

PASSWORD = "Tender-2026-secure"  # noqa: S105 - test accounts
_serial = itertools.count(700000)


def supplier_make(name: str | None = None) -> User:
    """An approved supplier of the pool and its user (username ``bidder<n>``)."""
    number = next(_serial)
    profile = supplier_register(
        actor=None, name=name or f"丽水市投标{number}建设有限公司",
        credit_code=credit_code_generate(region_code="331102", serial=number),
        region=Region.objects.get(code="331100"), classes=["works", "goods"], legal_representative="王",
        registered_capital="1000", address="丽水市", business_scope="施工", username=f"bidder{number}",
        password=PASSWORD)
    supplier_approve(actor=User.objects.get(username="staff"), profile=profile)
    return User.objects.get(username=f"bidder{number}")


def accepted_project(category: str = Category.CONSTRUCTION, budget: str = "5000000.00") -> Project:
    return project_make(status=ProjectStatus.ACCEPTED, category=category, budget=budget, name="招标测试工程")


def procedure_data(**overrides: Any) -> services.ProcedureData:
    values: dict[str, Any] = {
        "title": "门诊楼改扩建工程施工", "method": "works_open",
        "qualification_requirements": "建筑工程施工总承包二级及以上",
        "evaluation_method": "comprehensive_evaluation",
        "evaluation_criteria": [{"name": "投标报价", "weight": 60, "kind": "price"},
                                {"name": "施工组织设计", "weight": 40, "kind": "technical"}],
        "lots": [services.LotData("施工总承包", "5000000.00", "4800000.00", "80000.00")],
        "document_days": 5, "bid_days": 20, "place": "丽水市莲都区",
    }
    values.update(overrides)
    return services.ProcedureData(**values)


def procedure_draft(project: Project | None = None, *, actor: User | None = None, **overrides: Any) -> Procedure:
    project = project or accepted_project()
    actor = actor or User.objects.get(username="agency")
    procedure = services.procedure_create(actor=actor, project=project, data=procedure_data(**overrides))
    services.document_upload(actor=actor, procedure=procedure,
                             upload=ContentFile(b"tender documents v1", name="zhaobiao.pdf"))
    return procedure


def procedure_published(project: Project | None = None, **overrides: Any) -> Procedure:
    procedure = procedure_draft(project, **overrides)
    published, _findings = services.procedure_publish(actor=User.objects.get(username="agency"), procedure=procedure)
    return published


def deadline_of(procedure: Procedure) -> dt.datetime:
    """The effective bid deadline of a published procedure (typed for the tests' arithmetic)."""
    assert procedure.effective_bid_deadline is not None
    return procedure.effective_bid_deadline


def organisation_of(user: User) -> Organisation:
    assert user.organisation is not None
    return user.organisation
