from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver

from yangguang.accounts.states import Role
from yangguang.projects import urls as project_urls
from yangguang.projects.access import projects_visible
from yangguang.projects.states import ProjectStatus

from .access_cases import cases
from .factories import project_make

pytestmark = pytest.mark.django_db


def test_every_page_answers_every_role_as_declared(items, user_of, client_as):
    declared = cases({"user_of": user_of})
    covered = set()
    for method, url, expected in declared:
        match = get_resolver().resolve(url.split("?")[0])
        if match.namespace == "projects":
            covered.add(match.url_name)
        assert set(expected) == {*Role.values, "anonymous"}, url
        for role, status in expected.items():
            client = Client() if role == "anonymous" else client_as(role)
            response = client.get(url) if method == "GET" else client.post(url)
            assert response.status_code == status, (method, url, role, response.status_code)
    names = {p.name for p in project_urls.urlpatterns if isinstance(p, URLPattern)}
    assert covered == names


def test_visibility_per_role(items, user_of, client_as):
    city = project_make(status=ProjectStatus.SUBMITTED, name="市本级项目", with_agency=False)
    county = project_make(status=ProjectStatus.SUBMITTED, name="青田项目", region_code="331121")
    from yangguang.accounts.models import Organisation, User
    from yangguang.accounts.services import user_create
    from yangguang.accounts.states import OrganisationKind

    other_org = Organisation.objects.create(name="丽水市中心医院", kind=OrganisationKind.PURCHASER,
                                            region=city.region)
    user_create(actor="system", username="other_purchaser", password="x-Test-12345", organisation=other_org,  # noqa: S106
                role=Role.PURCHASER)
    # Not visible: another purchaser, a supplier, the public, county staff for a city project,
    # and the agency for a project it does not act on.
    for username in ("other_purchaser", "supplier", "staff_qingtian", "agency", "expert"):
        assert client_as(username).get(f"/projects/{city.pk}/").status_code == 404, username
        assert client_as(username).get(f"/api/v1/projects/{city.pk}").status_code in (403, 404), username
    assert Client().get(f"/api/v1/projects/{city.pk}").status_code == 401
    assert Client().get(f"/projects/{city.pk}/").status_code == 302
    # Visible: owner, city staff, supervisors of the city tree, admin.
    for username in ("purchaser", "staff", "committee", "supervisor", "audit", "finance", "discipline", "admin"):
        assert client_as(username).get(f"/projects/{city.pk}/").status_code == 200, username
    # County staff see the county project, city staff do not handle it (its centre is 青田's) and see
    # it only as overseers do not: staff see their own centre only.
    assert client_as("staff_qingtian").get(f"/projects/{county.pk}/").status_code == 200
    assert client_as("staff").get(f"/projects/{county.pk}/").status_code == 404
    assert set(projects_visible(User.objects.get(username="other_purchaser"))) == set()
    assert set(projects_visible(User.objects.get(username="agency"))) == {county}
    listed = client_as("staff").get("/api/v1/projects/").json()
    assert [p["id"] for p in listed] == [city.pk]
    assert client_as("supplier").get("/api/v1/projects/").status_code == 403


def test_queue_shows_only_submitted_projects_of_the_centre(items, client_as):
    submitted = project_make(status=ProjectStatus.SUBMITTED, name="排队中的项目")
    project_make(status=ProjectStatus.DRAFT, name="还是草稿的项目")
    project_make(status=ProjectStatus.SUBMITTED, name="县里排队的项目", region_code="331121")
    page = client_as("staff").get("/projects/queue/").content.decode()
    assert submitted.name in page
    assert "还是草稿的项目" not in page
    assert "县里排队的项目" not in page


def test_overview_filters_by_status_and_category(items, client_as):
    project_make(status=ProjectStatus.SUBMITTED, name="已提交工程")
    project_make(status=ProjectStatus.DRAFT, name="草稿采购", category="government_procurement",
                 budget="200000.00")
    page = client_as("committee").get("/projects/overview/?status=submitted").content.decode()
    assert "已提交工程" in page
    assert "草稿采购" not in page
    page = client_as("committee").get("/projects/overview/?category=government_procurement").content.decode()
    assert "草稿采购" in page
    assert "已提交工程" not in page
