"""Expected status of every catalogue URL for every role (used by the project's access-matrix test).

Readers (staff, administrators, supervisors) get 200 on read pages and 403 on editing pages; the committee
office may edit; other roles get 403; anonymous visitors are sent to the login page (302). POST-only steps
are probed with GET, which the committee office gets as 405 (nothing changes)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from yangguang.accounts.states import Role

from .. import services
from ..access import EDIT_ROLES, READ_ROLES
from ..states import Category


def _expect(allowed: frozenset[str], status: int) -> dict[str, int]:
    expected = {role: (status if role in allowed else 403) for role in Role.values}
    expected["anonymous"] = 302
    return expected


def cases(ctx: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:
    committee = ctx["user_of"](Role.COMMITTEE_OFFICE)
    region = committee.organisation.region
    version = services.version_create(actor=committee, region=region, title="访问测试目录")
    works = services.type_create(actor=committee, version=version, category=Category.CONSTRUCTION, code="GC01",
                                 name="房屋建筑工程")
    item = services.item_create(actor=committee, catalogue_type=works, code="GC01-001", name="房屋建筑工程施工")
    readers = frozenset(READ_ROLES | EDIT_ROLES)
    everyone = {**{role: 200 for role in Role.values}, "anonymous": 200}
    return [
        ("GET", reverse("catalogue:version_list"), _expect(readers, 200)),
        ("GET", reverse("catalogue:version_detail", args=[version.pk]), _expect(readers, 200)),
        ("GET", reverse("catalogue:version_export", args=[version.pk]), _expect(readers, 200)),
        ("GET", reverse("catalogue:version_activate", args=[version.pk]), _expect(EDIT_ROLES, 405)),
        ("GET", reverse("catalogue:version_copy", args=[version.pk]), _expect(EDIT_ROLES, 405)),
        ("GET", reverse("catalogue:version_import", args=[version.pk]), _expect(EDIT_ROLES, 200)),
        ("GET", reverse("catalogue:type_create", args=[version.pk]), _expect(EDIT_ROLES, 200)),
        ("GET", reverse("catalogue:type_edit", args=[works.pk]), _expect(EDIT_ROLES, 200)),
        ("GET", reverse("catalogue:item_create", args=[works.pk]), _expect(EDIT_ROLES, 200)),
        ("GET", reverse("catalogue:item_edit", args=[item.pk]), _expect(EDIT_ROLES, 200)),
        ("GET", reverse("catalogue:item_delete", args=[item.pk]), _expect(EDIT_ROLES, 405)),
        # The public API: the catalogue and the must-trade test are open to everyone.
        ("GET", f"/api/v1/catalogue/items?region={region.code}", everyone),
        ("GET", f"/api/v1/catalogue/must-trade?item={item.pk}&budget=5000000&funding=budget:5000000", everyone),
    ]
