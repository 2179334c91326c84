"""Expected HTTP status of every expert page and API operation for every role (and the public).

Anonymous users go to the sign-in page (302) from pages that need an account, and get 401 from the API;
signed-in users of other roles get 403. Write pages answer 302 (back to the page with a message) whether
or not the step itself succeeds, so the matrix does not depend on the order in which it runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from yangguang.accounts.access import SUPERVISORY_ROLES
from yangguang.accounts.states import Role

READERS = {Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES}
RELEASERS = {Role.CENTRE_STAFF, Role.DEPARTMENT_SUPERVISOR, Role.COMMITTEE_OFFICE, Role.DISCIPLINE_INSPECTION}
RATERS = {Role.CENTRE_STAFF, Role.DEPARTMENT_SUPERVISOR, Role.COMMITTEE_OFFICE}


def _expect(default: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    expected: dict[str, int] = {str(role): default for role in Role.values}
    expected["anonymous"] = anonymous
    expected.update(overrides)
    return expected


def _only(roles: set, ok: int, anonymous: int = 302) -> dict[str, int]:
    return _expect(403, anonymous, **{str(r): ok for r in roles})


def _fixtures(ctx: dict[str, Any]) -> dict[str, int]:
    from ..models import DrawSlot
    from .factories import draw_published, experts_make, request_make, specialties_make

    specialties_make()
    experts = experts_make(12, specialty="A01")
    experts_make(6, specialty="B01")
    requested = request_make(quotas=[("B01", 2)])
    from ..services import draw_run

    drawn_request = request_make(quotas=[("B01", 2)], backups=1)
    draw_run(actor=ctx["user_of"]("staff"), request=drawn_request)
    published = draw_published(quotas=[("A01", 3)])
    seated = DrawSlot.objects.filter(draw=published, state="invited").first()
    return {"expert": experts[0].pk, "requested": requested.pk, "drawn": drawn_request.pk,
            "published_request": published.request_id, "published": published.pk,
            "slot": seated.pk if seated else 0,
            "open_slot": DrawSlot.objects.filter(draw__request=drawn_request, state="invited")[0].pk}


_cache: dict[int, dict[str, int]] = {}


def _ids(ctx: dict[str, Any]) -> dict[str, int]:
    key = id(ctx)
    if key not in _cache:
        _cache.clear()
        _cache[key] = _fixtures(ctx)
    return _cache[key]


def cases(ctx: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:
    ids = _ids(ctx)
    e, d, p = ids["expert"], ids["drawn"], ids["published_request"]
    staff_post = _only({Role.CENTRE_STAFF}, 302)
    return [
        ("GET", "/experts/specialties/", _expect(200, 200)),
        ("GET", "/experts/apply/", _expect(403, 200, expert=200)),
        ("GET", "/experts/mine/", _only({Role.EXPERT}, 200)),
        ("POST", f"/experts/invitations/{ids['open_slot']}/respond/", _only({Role.EXPERT}, 404)),
        ("GET", "/experts/pool/", _only(READERS, 200)),
        ("GET", "/experts/pool/import/", _only({Role.CENTRE_STAFF}, 200)),
        ("GET", "/experts/pool/export.xlsx", _only({Role.CENTRE_STAFF}, 200)),
        ("GET", f"/experts/pool/{e}/", _only(READERS, 200)),
        ("POST", f"/experts/pool/{e}/approve/", staff_post),
        ("POST", f"/experts/pool/{e}/reject/", staff_post),
        ("POST", f"/experts/pool/{e}/reinstate/", staff_post),
        ("POST", f"/experts/pool/{e}/sanction/", staff_post),
        ("GET", "/experts/draws/", _only(READERS, 200)),
        ("GET", "/experts/draws/new/", _only({Role.CENTRE_STAFF}, 200)),
        ("GET", f"/experts/draws/{d}/", _only(READERS, 200)),
        ("POST", f"/experts/draws/{ids['requested']}/run/", staff_post),
        ("POST", f"/experts/draws/{d}/release/", _only(RELEASERS, 302)),
        ("POST", f"/experts/draws/{p}/publish/", staff_post),
        ("POST", f"/experts/draws/{p}/slots/{ids['slot']}/attendance/", staff_post),
        ("POST", f"/experts/draws/{p}/slots/{ids['slot']}/rate/", _only(RATERS, 302)),
        ("GET", "/experts/audit/", _expect(200, 200)),
        ("GET", f"/experts/audit/{ids['published']}/", _expect(200, 200)),
        ("GET", f"/experts/audit/{ids['published']}/package.json", _expect(200, 200)),
        ("GET", "/api/v1/experts/specialties", _expect(200, 200)),
        ("GET", f"/api/v1/experts/draws/{d}", _only(READERS, 200, anonymous=401)),
        ("GET", "/api/v1/experts/invitations", _only({Role.EXPERT}, 200, anonymous=401)),
        ("GET", f"/api/v1/experts/audits/{ids['published']}", _expect(200, 200)),
    ]


def api_write_cases(ctx: dict[str, Any]) -> list[tuple]:
    from yangguang.core.dbclock import db_now

    from .factories import code, project_for_draw, request_make

    ids = _ids(ctx)
    project = project_for_draw(name="专家抽取矩阵项目")
    runnable = request_make(quotas=[("A01", 2)], backups=0)
    body = {"project_id": project.pk, "purchaser_credit_code": code(4242), "quotas": [{"specialty": "A01",
            "count": 3}], "evaluation_at": (db_now() + dt.timedelta(days=2)).isoformat()}
    return [
        ("POST", "/api/v1/experts/draws", _only({Role.CENTRE_STAFF}, 201, anonymous=401), body),
        ("POST", f"/api/v1/experts/draws/{runnable.pk}/run", _only({Role.CENTRE_STAFF}, 200, anonymous=401), None),
        # Before the evaluation starts the list is sealed: every official is refused with 409.
        ("POST", f"/api/v1/experts/draws/{ids['drawn']}/release", _only(RELEASERS, 409, anonymous=401), None),
        ("POST", f"/api/v1/experts/invitations/{ids['open_slot']}/respond",
         _only({Role.EXPERT}, 404, anonymous=401), {"accept": True}),
    ]
