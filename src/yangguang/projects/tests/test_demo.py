from __future__ import annotations

import pytest

from yangguang.catalogue.models import CatalogueVersion
from yangguang.projects import demo as projects_demo
from yangguang.projects.models import Project
from yangguang.projects.states import ProjectStatus

pytestmark = pytest.mark.django_db


def test_demo_without_a_catalogue_creates_nothing(demo):
    assert not CatalogueVersion.objects.exists()
    assert "no demo projects" in projects_demo.load()
    assert not Project.objects.exists()


def test_demo_loads_a_dozen_projects_once(items, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    summary = projects_demo.load()
    assert summary.startswith("12 demo projects created")
    assert projects_demo.load().startswith("0 demo projects created")
    assert Project.objects.count() == 12 + 5  # intake demo + must-trade demo
    statuses = set(Project.objects.values_list("status", flat=True))
    assert statuses == set(ProjectStatus.values)
    assert set(Project.objects.values_list("category", flat=True)) == {
        "construction", "government_procurement", "land", "state_assets", "special"}
    accepted = Project.objects.filter(status=ProjectStatus.ACCEPTED)
    assert all(p.code and p.must_trade is not None for p in accepted)
    assert Project.objects.filter(region__code="331121", status=ProjectStatus.ACCEPTED).exists()


def test_pages_are_in_chinese_by_default(items, client_as):
    projects_demo.load()
    assert "待受理项目" in client_as("staff").get("/projects/queue/").content.decode()
    assert "登记项目" in client_as("purchaser").get("/projects/").content.decode()


def test_must_trade_demo(items, settings, tmp_path):
    from yangguang.accounts.apikey_models import ApiKey
    from yangguang.projects.funding import funding_check
    from yangguang.projects.models import ExemptionRequest, Investigation, Violation

    settings.VAR_DIR = tmp_path
    summary = projects_demo.load()
    assert "must-trade: 5 projects" in summary
    assert "ygk_" not in summary
    key_file = tmp_path / "demo-finance-api-key.txt"
    assert key_file.read_text().startswith("ygk_") and oct(key_file.stat().st_mode)[-3:] == "600"
    assert ApiKey.objects.filter(organisation__kind="finance").count() == 1
    statuses = set(ExemptionRequest.objects.values_list("status", flat=True))
    assert statuses == {"section_review", "leader_approval", "approved", "rejected"}
    overdue = ExemptionRequest.objects.get(overdue_at__isnull=False)
    assert Violation.objects.filter(exemption=overdue, kind="report_overdue", status="referred").exists()
    assert funding_check(code=overdue.project.code).reason_code == "report_overdue"
    assert Investigation.objects.filter(status="in_progress").count() == 1
    assert Violation.objects.filter(kind="escaped", status="suspected").count() == 1
    assert "already present" in projects_demo.load()
    assert ApiKey.objects.count() == 1
