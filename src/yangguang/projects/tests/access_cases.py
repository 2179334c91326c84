"""Who gets what on every project intake page (used by the platform's access matrix test)."""

from __future__ import annotations

from typing import Any

from yangguang.accounts.states import Role
from yangguang.projects.states import ProjectStatus

from .factories import catalogue_setup, exemption_make, project_make

ANON = "anonymous"
SUPERVISORS = [Role.COMMITTEE_OFFICE, Role.DEPARTMENT_SUPERVISOR, Role.DISCIPLINE_INSPECTION, Role.AUDIT,
               Role.FINANCE]


def _only(allowed: dict[Any, int], *, others: int = 403) -> dict[str, int]:
    expected = {str(role): others for role in Role.values}
    expected[ANON] = 302  # sent to the sign-in page
    expected.update({str(k): v for k, v in allowed.items()})
    return expected


def cases(ctx: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:

    # An accepted city project: its steps are refused (with a message and a redirect), so running the cases
    # in any order changes nothing. A draft project for the edit page.
    accepted = project_make(status=ProjectStatus.ACCEPTED, name="访问矩阵已受理项目")
    draft = project_make(status=ProjectStatus.DRAFT, name="访问矩阵草稿项目")
    buyers = {Role.PURCHASER: 200, Role.AGENCY: 200}
    buyer_posts = {Role.PURCHASER: 302, Role.AGENCY: 302}
    detail = {
        **{str(role): 200 for role in Role.values},
        Role.SUPPLIER: 404,
        Role.EXPERT: 404,
        ANON: 302,
    }
    a = accepted.pk
    return [
        ("GET", "/projects/", _only(buyers)),
        ("GET", "/projects/register/", _only(buyers)),
        ("GET", "/projects/queue/", _only({Role.CENTRE_STAFF: 200})),
        ("GET", "/projects/overview/",
         _only({Role.CENTRE_STAFF: 200, Role.PLATFORM_ADMIN: 200, **{s: 200 for s in SUPERVISORS}})),
        ("GET", f"/projects/{a}/", detail),
        ("GET", f"/projects/{draft.pk}/edit/", _only(buyers)),
        ("POST", f"/projects/{a}/submit/", _only(buyer_posts)),
        ("POST", f"/projects/{a}/withdraw/", _only(buyer_posts)),
        ("POST", f"/projects/{a}/accept/", _only({Role.CENTRE_STAFF: 302})),
        ("POST", f"/projects/{a}/return/", _only({Role.CENTRE_STAFF: 302})),
        ("POST", f"/projects/{a}/documents/", _only(buyer_posts)),
        *musttrade_cases(ctx),
    ]


CASE_ROLES = {Role.COMMITTEE_OFFICE, Role.DISCIPLINE_INSPECTION, Role.AUDIT, Role.PLATFORM_ADMIN}
FUNDING = {Role.FINANCE, Role.COMMITTEE_OFFICE, Role.AUDIT, Role.DISCIPLINE_INSPECTION, Role.PLATFORM_ADMIN}
READERS = {Role.PURCHASER, Role.AGENCY, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORS}


def _api(allowed: dict[Any, int]) -> dict[str, int]:
    return _only(allowed) | {ANON: 401}


def musttrade_cases(ctx: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:
    """Must-trade pages and API reads. Each record is made through the services; every POST here is
    refused or repeats a finished step on later runs, so the order of roles changes no status code."""
    from django.db import transaction

    from yangguang.accounts.apikeys import apikey_issue
    from yangguang.accounts.models import Organisation, User
    from yangguang.accounts.states import OrganisationKind
    from yangguang.projects import reports
    from yangguang.projects.imports import project_list_import
    from yangguang.projects.models import Investigation
    from yangguang.projects.musttrade_states import ViolationKind
    from yangguang.projects.violations import violation_record

    admin = User.objects.get(username="admin")
    committee = User.objects.get(username="committee")
    staff = User.objects.get(username="staff")
    purchaser = User.objects.get(username="purchaser")
    eligible = project_make(status=ProjectStatus.ACCEPTED, name="访问矩阵应进必进项目")
    ex = exemption_make(name="访问矩阵不进场项目")
    # A report priced at twice the budget: reported, reviewed, published, in a bulletin; it opens a case.
    reported = exemption_make(name="访问矩阵已报告项目")
    report = reports.report_submit(actor=purchaser, exemption=reported, trade_date=reports.today(), contracts=[
        {"supplier": "丽水市访问矩阵施工有限公司", "amount": "10000000.00"}])
    report = reports.report_review(actor=committee, report=report, opinion="")
    report = reports.report_publish(actor=staff, report=report)
    bulletin = reports.bulletin_generate(actor=committee, period_start=reports.today(), period_end=reports.today())
    case = Investigation.objects.get(report=report)
    with transaction.atomic():
        violation = violation_record(actor="system", kind=ViolationKind.NOT_TRADED, region=ex.project.region,
                                     project=ex.project, summary="访问矩阵", evidence=[])
    department = User.objects.get(username="supervisor").organisation
    assert department is not None
    batch = project_list_import(actor=committee, department=department, source="upload", rows=[{
        "name": "访问矩阵漏报项目", "owner": "丽水市某局", "category": "construction", "budget": "9000000",
        "funding_source": "budget", "region": "331100"}])
    finance = Organisation.objects.filter(kind=OrganisationKind.FINANCE).first()
    key, _secret = apikey_issue(actor=admin, organisation=finance, name="访问矩阵财政系统", scopes=["funding_check"])

    detail = {str(role): 200 for role in Role.values} | {Role.SUPPLIER: 404, Role.EXPERT: 404, ANON: 302}
    cases_ = CASE_ROLES
    return [
        ("GET", f"/projects/{eligible.pk}/exemption/", _only({Role.PURCHASER: 200, Role.AGENCY: 200})),
        ("GET", "/projects/exemptions/", _only({r: 200 for r in READERS})),
        ("GET", f"/projects/exemptions/{ex.pk}/", detail),
        ("POST", f"/projects/exemptions/{ex.pk}/decide/",
         _only({Role.DEPARTMENT_SUPERVISOR: 302, Role.COMMITTEE_OFFICE: 302})),
        ("POST", f"/projects/exemptions/{ex.pk}/documents/", _only({Role.PURCHASER: 302, Role.AGENCY: 302})),
        ("POST", f"/projects/exemptions/{ex.pk}/publish/", _only({Role.CENTRE_STAFF: 302, Role.PLATFORM_ADMIN: 302})),
        ("POST", f"/projects/exemptions/{ex.pk}/trade/", _only({Role.PURCHASER: 302, Role.AGENCY: 302})),
        ("GET", f"/projects/exemptions/{ex.pk}/report/", _only({Role.PURCHASER: 200, Role.AGENCY: 200})),
        ("GET", "/projects/reports/",
         _only({Role.CENTRE_STAFF: 200, Role.PLATFORM_ADMIN: 200, **{s: 200 for s in SUPERVISORS}})),
        ("POST", f"/projects/reports/{report.pk}/review/", _only({Role.COMMITTEE_OFFICE: 302})),
        ("POST", f"/projects/reports/{report.pk}/publish/",
         _only({Role.CENTRE_STAFF: 302, Role.PLATFORM_ADMIN: 302})),
        ("POST", f"/projects/reports/{report.pk}/archive/", _only({Role.COMMITTEE_OFFICE: 302})),
        ("GET", "/projects/bulletins/", _only({Role.PLATFORM_ADMIN: 200, **{s: 200 for s in SUPERVISORS}})),
        ("GET", f"/projects/bulletins/{bulletin.pk}/download/",
         _only({Role.PLATFORM_ADMIN: 200, **{s: 200 for s in SUPERVISORS}})),
        ("GET", "/projects/investigations/", _only({r: 200 for r in cases_})),
        ("GET", f"/projects/investigations/{case.pk}/", _only({r: 200 for r in cases_})),
        ("POST", f"/projects/investigations/{case.pk}/act/", _only({r: 302 for r in cases_})),
        ("GET", "/projects/violations/", _only({r: 200 for r in cases_})),
        ("GET", f"/projects/violations/{violation.pk}/", _only({r: 200 for r in cases_})),
        ("POST", f"/projects/violations/{violation.pk}/act/",
         _only({Role.COMMITTEE_OFFICE: 302, Role.DISCIPLINE_INSPECTION: 302})),
        ("GET", "/projects/project-lists/", _only({Role.DEPARTMENT_SUPERVISOR: 200, Role.COMMITTEE_OFFICE: 200})),
        ("GET", f"/projects/project-lists/{batch.pk}/",
         _only({Role.DEPARTMENT_SUPERVISOR: 200, Role.COMMITTEE_OFFICE: 200})),
        ("GET", "/projects/funding-check/", _only({r: 200 for r in FUNDING})),
        ("GET", f"/projects/funding-check/?project={ex.project.code}", _only({r: 200 for r in FUNDING})),
        ("GET", "/accounts/api-keys/", _only({Role.PLATFORM_ADMIN: 200})),
        ("POST", f"/accounts/api-keys/{key.pk}/revoke/", _only({Role.PLATFORM_ADMIN: 302})),
        ("GET", f"/api/v1/funding-check?project={ex.project.code}", _api({r: 200 for r in FUNDING})),
        ("GET", "/api/v1/projects/must-trade/exemptions", _api({r: 200 for r in READERS})),
        ("GET", "/api/v1/projects/must-trade/violations", _api({r: 200 for r in cases_})),
    ]


def api_write_cases(ctx: dict[str, Any]) -> list[tuple]:
    """Must-trade API writes with valid bodies (the first allowed role in Role order succeeds)."""
    from yangguang.accounts.models import User
    from yangguang.projects.musttrade_states import ExemptionStatus

    catalogue_setup()
    project = project_make(status=ProjectStatus.ACCEPTED, name="矩阵API应进必进项目")
    waiting = exemption_make(name="矩阵API待审核不进场", until=ExemptionStatus.SECTION_REVIEW)
    department = User.objects.get(username="supervisor").organisation
    assert department is not None
    request = {"department_id": department.pk, "reason": "涉及国家安全", "legal_basis": "招标投标法 第66条",
               "method": "直接委托"}
    rows = {"department_id": department.pk, "rows": [{
        "reference": "2026-JS-001", "name": "矩阵API漏报工程", "owner": "丽水市某局", "category": "construction",
        "budget": "9000000.00", "funding_source": "budget", "region": "331100"}]}
    return [
        # The purchaser files; the agency (same project) finds a request already under way.
        ("POST", f"/api/v1/projects/must-trade/projects/{project.pk}/exemptions",
         _api({Role.PURCHASER: 201, Role.AGENCY: 409}), request),
        # The section review belongs to the competent department; the committee office's step comes later.
        ("POST", f"/api/v1/projects/must-trade/exemptions/{waiting.pk}/decide",
         _api({Role.DEPARTMENT_SUPERVISOR: 200}), {"approve": True, "opinion": "同意"}),
        ("POST", "/api/v1/projects/must-trade/project-lists",
         _api({Role.COMMITTEE_OFFICE: 201, Role.DEPARTMENT_SUPERVISOR: 201}), rows),
    ]
