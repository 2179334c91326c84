"""Who gets what on every project intake page (used by the platform's access matrix test)."""

from __future__ import annotations

from typing import Any

from yangguang.accounts.states import Role

from .factories import project_make

ANON = "anonymous"
SUPERVISORS = [Role.COMMITTEE_OFFICE, Role.DEPARTMENT_SUPERVISOR, Role.DISCIPLINE_INSPECTION, Role.AUDIT,
               Role.FINANCE]


def _only(allowed: dict[Any, int], *, others: int = 403) -> dict[str, int]:
    expected = {str(role): others for role in Role.values}
    expected[ANON] = 302  # sent to the sign-in page
    expected.update({str(k): v for k, v in allowed.items()})
    return expected


def cases(ctx: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:
    from yangguang.projects.states import ProjectStatus

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
    ]
