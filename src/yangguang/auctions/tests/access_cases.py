"""Expected HTTP status of every auctions page and API operation for every role (and the public).

Fixtures: an announced land listing (the demo supplier applied and is qualified; two other bidders wait for
approval), a draft lot, and a sold English auction won by the demo supplier. Write steps that are refused
by the state answer 302 (pages: back with a message) or 409 (API), so the table does not depend on order.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any

from yangguang.accounts.access import SUPERVISORY_ROLES
from yangguang.accounts.states import Role

MANAGERS = {Role.CENTRE_STAFF, Role.PLATFORM_ADMIN}
READERS = {*MANAGERS, *SUPERVISORY_ROLES}


def _expect(default: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    expected = {role: default for role in Role.values}
    expected["anonymous"] = anonymous
    expected.update(overrides)
    return expected


def _only(roles: AbstractSet[str], ok: int, *, other: int = 403, anonymous: int = 302) -> dict[str, int]:
    return _expect(other, anonymous, **{str(r): ok for r in roles})


def _fixtures(ctx: dict[str, Any]) -> dict[str, int]:
    from yangguang.auctions import services
    from yangguang.auctions.states import Variant
    from yangguang.auctions.tests.factories import bidder, end_countdown, make_lot, open_now, qualify

    cached = ctx.get("_auctions")
    if cached:
        return cached
    supplier = ctx["user_of"](Role.SUPPLIER)
    announced = make_lot(Variant.LAND_LISTING)
    own = qualify(announced, supplier)
    waiting = []
    for _i in range(2):
        registration = services.registration_apply(actor=bidder(), lot=announced)
        services.deposit_notify(notification_id=f"MATRIX-{registration.pk}", deposit_ref=registration.deposit_ref,
                                amount=announced.deposit)
        waiting.append(registration.pk)
    draft = make_lot(Variant.LAND_LISTING, announce=False)
    sold = make_lot(Variant.ENGLISH)
    qualify(sold, supplier)
    sold = open_now(sold)
    services.bid_place(actor=supplier, lot=sold, amount="10600000.00", idempotency_key="matrix")
    sold = end_countdown(sold)
    ctx["_auctions"] = ids = {"announced": announced.pk, "draft": draft.pk, "sold": sold.pk, "own": own.pk,
                              "approve": waiting[0], "reject": waiting[1], "project": announced.project_id}
    return ids


def cases(ctx: dict[str, Any]) -> list[tuple]:
    ids = _fixtures(ctx)
    lot, draft, sold = ids["announced"], ids["draft"], ids["sold"]
    return [
        ("GET", "/auctions/", _expect(200, 200)),
        ("GET", "/auctions/new/", _only(MANAGERS, 200)),
        ("GET", "/auctions/mine/", _only({Role.SUPPLIER}, 200)),
        ("GET", f"/auctions/lots/{lot}/", _expect(200, 200)),
        ("GET", f"/auctions/lots/{draft}/", _only(READERS, 200, anonymous=403)),
        ("GET", f"/auctions/lots/{lot}/room/", _expect(200, 200)),
        ("GET", f"/auctions/lots/{sold}/confirmation/",
         _only({*READERS, Role.PURCHASER, Role.SUPPLIER}, 200, anonymous=403)),
        ("POST", f"/auctions/lots/{lot}/apply/", _only({Role.SUPPLIER}, 302)),
        ("POST", f"/auctions/lots/{lot}/continue/", _only({Role.SUPPLIER}, 302)),
        ("POST", f"/auctions/lots/{lot}/announce/", _only(MANAGERS, 302)),
        ("POST", f"/auctions/lots/{lot}/result/", _only(MANAGERS, 302)),
        ("POST", f"/auctions/registrations/{ids['own']}/approve/", _only(MANAGERS, 302)),
        ("POST", f"/auctions/registrations/{ids['own']}/reject/", _only(MANAGERS, 302)),
        ("GET", "/api/v1/auctions/time", _expect(200, 200)),
        ("GET", "/api/v1/auctions/lots", _expect(200, 200)),
        ("GET", f"/api/v1/auctions/lots/{lot}", _expect(200, 200)),
        ("GET", f"/api/v1/auctions/lots/{draft}", _only(READERS, 200, other=404, anonymous=404)),
        ("GET", f"/api/v1/auctions/lots/{lot}/bids", _expect(200, 200)),
        ("GET", f"/api/v1/auctions/lots/{lot}/me", _only({Role.SUPPLIER}, 200, anonymous=401)),
        ("GET", f"/api/v1/auctions/lots/{lot}/registrations", _only(READERS, 200, anonymous=401)),
    ]


def api_write_cases(ctx: dict[str, Any]) -> list[tuple]:
    import datetime as dt

    from yangguang.core.dbclock import db_now

    ids = _fixtures(ctx)
    lot = ids["announced"]
    now = db_now()
    new_lot = {"project_id": ids["project"], "variant": "land_listing", "title": "矩阵测试地块",
               "starting_price": "1000000.00", "reserve_price": "1200000.00", "increment": "10000.00",
               "deposit": "200000.00", "listing_starts_at": (now + dt.timedelta(days=30)).isoformat(),
               "listing_ends_at": (now + dt.timedelta(days=45)).isoformat(), "countdown_seconds": 300}
    return [
        ("POST", "/api/v1/auctions/lots", _only(MANAGERS, 201, anonymous=401), new_lot),
        # Bidding has not started: the qualified demo supplier gets 409; everyone else is refused by role.
        ("POST", f"/api/v1/auctions/lots/{lot}/bids", _only({Role.SUPPLIER}, 409, anonymous=401),
         {"amount": "10000000.00", "idempotency_key": "matrix-early"}),
        ("POST", f"/api/v1/auctions/lots/{lot}/apply", _only({Role.SUPPLIER}, 201, anonymous=401), {}),
        ("POST", f"/api/v1/auctions/lots/{lot}/continue", _only({Role.SUPPLIER}, 409, anonymous=401), {}),
        ("POST", f"/api/v1/auctions/lots/{lot}/announce", _only(MANAGERS, 409, anonymous=401), {}),
        ("POST", f"/api/v1/auctions/lots/{lot}/result", _only(MANAGERS, 409, anonymous=401), {}),
        ("POST", f"/api/v1/auctions/registrations/{ids['approve']}/approve",
         _expect(403, 401, centre_staff=200, platform_admin=409), {}),
        ("POST", f"/api/v1/auctions/registrations/{ids['reject']}/reject",
         _expect(403, 401, centre_staff=200, platform_admin=409), {"reason": "资格不符"}),
        ("POST", "/api/v1/auctions/bank/deposits", _expect(403, 403),
         {"notification_id": "X", "deposit_ref": "Y", "amount": "1.00"}),
    ]
