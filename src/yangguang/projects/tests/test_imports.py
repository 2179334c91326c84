from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yangguang.accounts.apikeys import apikey_issue
from yangguang.accounts.models import User
from yangguang.projects.models import ProjectListEntry, ProjectListImport, Violation
from yangguang.projects.musttrade_states import ViolationKind, ViolationStatus
from yangguang.projects.states import ProjectStatus

from .factories import exemption_make, project_make

pytestmark = pytest.mark.django_db
HEADER = "项目编号,项目名称,项目单位,统一社会信用代码,类别,预算金额,资金来源,行政区划代码\n"


def _csv(project, exempt) -> bytes:
    lines = [
        f"A-1,{project.name},丽水市第一人民医院,,工程建设,5000000,预算资金,331100",
        f"A-2,{exempt.project.name},丽水市第一人民医院,,工程建设,5000000,预算资金,331100",
        "A-3,丽水市某小型修缮,丽水市某局,,工程建设,300000,预算资金,331100",
        "A-4,丽水市某道路改造工程,丽水市某局,,工程建设,8000000,预算资金,331121",
    ]
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8-sig")


def test_upload_matches_and_flags_the_escaped_project(items, client_as):
    project = project_make(status=ProjectStatus.ACCEPTED, name="已进场项目")
    exempt = exemption_make(name="已豁免导入项目")
    response = client_as("supervisor").post("/projects/project-lists/", {
        "department": User.objects.get(username="supervisor").organisation_id,
        "file": SimpleUploadedFile("list.csv", _csv(project, exempt), content_type="text/csv")})
    assert response.status_code == 302, response.content.decode()
    batch = ProjectListImport.objects.get()
    matches = dict(ProjectListEntry.objects.values_list("reference", "match"))
    assert matches == {"A-1": "project", "A-2": "exemption", "A-3": "not_must_trade", "A-4": "unmatched"}
    violation = Violation.objects.get()
    assert violation.kind == ViolationKind.ESCAPED and violation.status == ViolationStatus.SUSPECTED
    assert violation.region.code == "331121" and batch.unmatched == 1
    # Suspected records wait for the committee office; discipline inspection does not see them yet.
    assert violation.code not in client_as("discipline").get("/projects/violations/").content.decode()
    client_as("committee").post(f"/projects/violations/{violation.pk}/act/", {"action": "refer"})
    violation.refresh_from_db()
    assert violation.status == ViolationStatus.REFERRED
    assert violation.code in client_as("discipline").get("/projects/violations/").content.decode()


def test_xlsx_upload_and_a_bad_row_refuses_the_whole_file(items, client_as):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["name", "owner", "category", "budget", "funding_source", "region"])
    sheet.append(["某工程", "某局", "construction", 6000000, "budget", "331100"])
    sheet.append(["坏行", "某局", "construction", "很多", "budget", "331100"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client_as("committee").post("/projects/project-lists/", {
        "department": User.objects.get(username="supervisor").organisation_id,
        "file": SimpleUploadedFile("list.xlsx", buffer.getvalue())})
    assert response.status_code == 200
    assert "3" in response.content.decode()  # the message names line 3
    assert not ProjectListImport.objects.exists() and not Violation.objects.exists()


def test_department_system_imports_with_its_key(items):
    admin = User.objects.get(username="admin")
    department = User.objects.get(username="supervisor").organisation
    assert department is not None
    _row, key = apikey_issue(actor=admin, organisation=department, name="投资项目在线审批监管平台",
                             scopes=["project_list_import"])
    body = {"rows": [{"reference": "2026-331100-48-01-000001", "name": "某学校建设工程", "owner": "某局",
                      "category": "construction", "budget": "12000000", "funding_source": "budget",
                      "region": "331100"}]}
    response = Client().post("/api/v1/projects/must-trade/project-lists", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content
    assert response.json()["unmatched"] == 1
    assert ProjectListImport.objects.get().department_id == department.pk
    bad = Client().post("/api/v1/projects/must-trade/project-lists", {"rows": [{**body["rows"][0], "region": "x"}]},
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert bad.status_code == 422 and bad.json()["field"] == "rows"
