"""Expected HTTP status of every supplier-pool page for every role (and the public).

Anonymous users are sent to the sign-in page (302) from every page that needs an account; signed-in users
of other roles get 403. Write steps answer 302 (back to the page, with a message) whether or not the step
itself succeeds, so the matrix does not depend on the order in which it runs.
"""

from __future__ import annotations

from typing import Any

from yangguang.accounts.access import SUPERVISORY_ROLES
from yangguang.accounts.states import Role

ALL = [*Role.values, "anonymous"]
READERS = {Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES}


def _expect(default: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    expected = {role: default for role in Role.values}
    expected["anonymous"] = anonymous
    expected.update(overrides)
    return expected


def _readers(ok: int, anonymous: int = 302) -> dict[str, int]:
    return _expect(403, anonymous, **{str(r): ok for r in READERS})


def _staff_only(ok: int) -> dict[str, int]:
    return _expect(403, 302, **{Role.CENTRE_STAFF.value: ok})


def _fixtures(ctx: dict[str, Any]) -> tuple[int, int]:
    """A city supplier visible to city readers, the demo supplier's own registration and a blacklist entry."""
    from yangguang.accounts.models import Region
    from yangguang.core.dbclock import db_now
    from yangguang.suppliers.credit_code import credit_code_generate
    from yangguang.suppliers.models import BlacklistEntry, SupplierProfile
    from yangguang.suppliers.services import supplier_register
    from yangguang.suppliers.states import SupplierStatus

    demo_supplier = ctx["user_of"](Role.SUPPLIER)
    now = db_now()
    SupplierProfile.objects.get_or_create(organisation=demo_supplier.organisation, defaults={
        "primary_class": "works", "classes": ["works"], "legal_representative": "钱法人",
        "registered_capital": 1000, "address": "丽水市", "business_scope": "施工",
        "status": SupplierStatus.APPROVED, "submitted_at": now})
    profile = supplier_register(
        actor=None, name="丽水市矩阵测试建设工程有限公司", credit_code=credit_code_generate(serial=777001),
        region=Region.objects.get(code="331100"), classes=["works"], legal_representative="张三",
        registered_capital="100", address="丽水市", business_scope="施工", username="matrix_supplier",
        password="Matrix-2026-pass",  # noqa: S106 - test account
    )
    entry = BlacklistEntry.objects.create(supplier=profile, starts_at=now, ends_at=now.replace(year=now.year + 1),
                                          reason="test")
    return profile.pk, entry.pk


def cases(ctx: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:
    pk, entry = _fixtures(ctx)
    return [
        ("GET", "/suppliers/register/", _expect(200, 200)),
        ("GET", "/suppliers/register/done/", _expect(200, 200)),
        ("GET", "/suppliers/mine/", _expect(403, 302, supplier=200)),
        ("POST", "/suppliers/mine/resubmit/", _expect(403, 302, supplier=200)),
        ("POST", "/suppliers/mine/qualifications/", _expect(403, 302, supplier=422)),
        ("GET", "/suppliers/pool/", _readers(200)),
        ("GET", f"/suppliers/pool/{pk}/", _readers(200)),
        ("POST", f"/suppliers/pool/{pk}/approve/", _staff_only(302)),
        ("POST", f"/suppliers/pool/{pk}/return/", _staff_only(302)),
        ("POST", f"/suppliers/pool/{pk}/suspend/", _staff_only(302)),
        ("POST", f"/suppliers/pool/{pk}/reinstate/", _staff_only(302)),
        ("POST", f"/suppliers/pool/{pk}/blacklist/", _staff_only(302)),
        ("GET", "/suppliers/blacklist/", _readers(200)),
        ("POST", f"/suppliers/blacklist/{entry}/lift/", _staff_only(302)),
        ("GET", "/api/v1/suppliers/me", _expect(403, 401, supplier=200)),
        ("GET", "/api/v1/suppliers/", _readers(200, anonymous=401)),
    ]
