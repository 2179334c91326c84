"""Who gets what on every notices page and API operation (used by the platform's access matrix test).

Reading notices is public (the portal and the GET endpoints); publishing, correcting and withdrawing are for
centre staff and the platform administrator, and for purchasers and agencies on their own projects."""

from __future__ import annotations

from typing import Any

from yangguang.accounts.states import Role

from .factories import full_fields, notice_make

ANON = "anonymous"
PUBLISHERS = (Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, Role.PURCHASER, Role.AGENCY)


def _only(allowed: dict[Any, int], *, others: int = 403, anonymous: int = 302) -> dict[str, int]:
    expected = {str(role): others for role in Role.values}
    expected[ANON] = anonymous
    expected.update({str(k): v for k, v in allowed.items()})
    return expected


def cases(ctx: dict[str, Any]) -> list[tuple]:
    notice = notice_make(title="访问矩阵施工招标公告")
    publishers = {r: 200 for r in PUBLISHERS}
    # A city notice of the centre: staff and the administrator manage it; buyers have no project in it.
    manage = {Role.CENTRE_STAFF: 200, Role.PLATFORM_ADMIN: 200, Role.PURCHASER: 404, Role.AGENCY: 404}
    # Withdraw without a reason: refused with a message and a redirect, so no role changes anything.
    withdraw = {Role.CENTRE_STAFF: 302, Role.PLATFORM_ADMIN: 302, Role.PURCHASER: 404, Role.AGENCY: 404}
    return [
        ("GET", "/notices/", _only(publishers)),
        ("GET", "/notices/publish/", _only(publishers)),
        ("GET", "/notices/publish/?type=candidate_publicity", _only(publishers)),
        ("GET", f"/notices/{notice.pk}/correct/", _only(manage)),
        ("POST", f"/notices/{notice.pk}/withdraw/", _only(withdraw)),
        ("GET", "/api/v1/notices", {"*": 200}),
        ("GET", "/api/v1/notices?q=施工&category=construction&region=331100", {"*": 200}),
        ("GET", "/api/v1/notices?type=nonsense", {"*": 422}),
        ("GET", f"/api/v1/notices/{notice.pk}", {"*": 200}),
    ]


def api_write_cases(ctx: dict[str, Any]) -> list[tuple]:
    original = notice_make(title="访问矩阵API更正原公告")
    to_withdraw = notice_make(title="访问矩阵API撤回公告")
    publish = {"type": "tender_construction", "region": "331100", "title": "访问矩阵API施工招标公告",
               "fields": full_fields("tender_construction")}
    correction = {"title": "访问矩阵API更正公告", "fields": {"changes": "截止时间顺延"}, "reason": "答疑"}
    # Buyers pass the role check but own no project here: the service refuses them (403).
    staff_and_admin = _only({Role.CENTRE_STAFF: 201, Role.PLATFORM_ADMIN: 201}, anonymous=401)
    return [
        ("POST", "/api/v1/notices", staff_and_admin, publish),
        ("POST", f"/api/v1/notices/{original.pk}/correct", staff_and_admin, correction),
        # The first allowed role withdraws it; the administrator then meets a withdrawn notice (409).
        ("POST", f"/api/v1/notices/{to_withdraw.pk}/withdraw",
         _only({Role.CENTRE_STAFF: 200, Role.PLATFORM_ADMIN: 409}, anonymous=401), {"reason": "内容有误"}),
    ]
