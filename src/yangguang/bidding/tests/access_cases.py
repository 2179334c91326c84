"""Who gets what on every bidding page and endpoint (used by the platform's access matrix test).

Two procedures: one open for bidding (its bids are secret: the hall and every bid endpoint refuse everyone
but the bidder itself), and one whose lot was opened and its record concluded (the demo supplier bid in
it). Write steps aim where the workflow refuses them (409/422) so the order of the cases changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from yangguang.accounts.states import Role

ANON = "anonymous"
SUPERVISORS = [Role.COMMITTEE_OFFICE, Role.DEPARTMENT_SUPERVISOR, Role.DISCIPLINE_INSPECTION, Role.AUDIT,
               Role.FINANCE]
BUYERS = [Role.PURCHASER, Role.AGENCY]
MANAGERS = [*BUYERS, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN]
READERS = [*MANAGERS, Role.SUPPLIER, *SUPERVISORS]


def _only(allowed: dict[Any, int], *, others: int = 403, anonymous: int = 302) -> dict[str, int]:
    expected = {str(role): others for role in Role.values}
    expected[ANON] = anonymous
    expected.update({str(k): v for k, v in allowed.items()})
    return expected


def _fixtures(ctx: dict[str, Any]) -> dict[str, Any]:
    from django.db import transaction

    from yangguang.accounts.models import User
    from yangguang.core.eventlog import event_append
    from yangguang.tendering.models import Procedure
    from yangguang.tendering.tests.factories import procedure_published, supplier_make

    from .. import services
    from ..models import Bid, KeyHolder
    from .factories import opened_lot

    published = procedure_published()
    opened = procedure_published()
    Procedure.objects.filter(pk=opened.pk).update(status="ready_for_opening", next_check_at=None)
    lot = opened.lots.get()
    lot.status = "ready_for_opening"
    lot.save(update_fields=["status"])
    supplier = ctx["user_of"]("supplier")
    others = [supplier_make().organisation for _ in range(2)]
    opened_lot(lot, [{"organisation": supplier.organisation, "total_price": "100"},
                     *[{"organisation": o, "total_price": "110"} for o in others]])
    bid = Bid.objects.get(lot=lot, organisation=supplier.organisation)
    with transaction.atomic():
        event = event_append(action="bidding.bid.submitted", actor="bidder", object_type="bidding.bid",
                             object_id=bid.token, payload={"commitment": "0" * 64})
        Bid.objects.filter(pk=bid.pk).update(event_seq=event.seq)
    agency = User.objects.get(username="agency")
    holder = KeyHolder.objects.get(opening_key__procedure=published, user=agency)
    services.share_download(actor=agency, holder=holder)
    return {"published": published, "opened": opened, "lot": lot, "bid": bid, "holder": holder}


def _get(ctx: dict[str, Any]) -> dict[str, Any]:
    """Built once per access-matrix run (the ctx lives as long as the test's database state)."""
    if "_bidding" not in ctx:
        ctx["_bidding"] = _fixtures(ctx)
    return ctx["_bidding"]


def cases(ctx: dict[str, Any]) -> list[tuple]:
    f = _get(ctx)
    secret_lot = f["published"].lots.get().pk
    lot, bid = f["lot"].pk, f["bid"].pk
    readers = {r: 200 for r in READERS}
    return [
        ("GET", "/bidding/", _only({r: 200 for r in Role.values})),
        ("GET", "/bidding/keys/", _only({r: 200 for r in Role.values})),
        ("GET", "/bidding/shares/", _only({r: 200 for r in Role.values})),
        ("GET", f"/bidding/lots/{secret_lot}/", _only({Role.SUPPLIER: 200})),
        ("GET", f"/bidding/bids/{bid}/receipt/", _only({Role.SUPPLIER: 200})),
        # Before the deadline the hall of a lot does not exist for anyone; the expert cannot see the procedure.
        ("GET", f"/bidding/openings/{secret_lot}/", _only({Role.EXPERT: 404})),
        ("GET", f"/bidding/openings/{lot}/", _only({**readers, Role.EXPERT: 404})),
        ("GET", f"/bidding/openings/{lot}/record.pdf", _only({**{r: 404 for r in READERS}, Role.EXPERT: 404})),
        ("GET", f"/api/v1/bidding/lots/{secret_lot}/context", _only({Role.SUPPLIER: 200}, anonymous=401)),
        ("GET", f"/api/v1/bidding/lots/{secret_lot}/bids", _only({Role.SUPPLIER: 200}, anonymous=401)),
        ("GET", f"/api/v1/bidding/uploads/{uuid.uuid4()}", _only({Role.SUPPLIER: 404}, anonymous=401)),
        ("GET", f"/api/v1/bidding/bids/{bid}/receipt", _only({Role.SUPPLIER: 200}, anonymous=401)),
        ("POST", f"/api/v1/bidding/bids/{bid}/withdraw", _only({Role.SUPPLIER: 409}, anonymous=401)),
        ("GET", f"/api/v1/bidding/openings/{secret_lot}", _only({Role.EXPERT: 404}, others=404, anonymous=401)),
        ("GET", f"/api/v1/bidding/openings/{lot}", _only({**readers, Role.EXPERT: 404}, anonymous=401)),
        ("POST", f"/api/v1/bidding/openings/{lot}/remedy",
         _only({**{r: 409 for r in MANAGERS}, Role.EXPERT: 404}, anonymous=401)),
        ("POST", f"/api/v1/bidding/openings/{lot}/conclude",
         _only({**{r: 409 for r in MANAGERS}, Role.EXPERT: 404}, anonymous=401)),
        ("POST", f"/api/v1/bidding/procedures/{f['opened'].pk}/open",
         _only({**{r: 409 for r in MANAGERS}, Role.EXPERT: 404}, anonymous=401)),
        ("GET", "/api/v1/bidding/shares", _only({r: 200 for r in Role.values}, anonymous=401)),
    ]


def api_write_cases(ctx: dict[str, Any]) -> list[tuple]:
    f = _get(ctx)
    secret_lot = f["published"].lots.get().pk
    lot, bid, holder = f["lot"].pk, f["bid"].pk, f["holder"].pk
    upload = str(uuid.uuid4())
    from yangguang import seal

    keys = seal.BidderKeys.generate().public_bundle()
    with_org = {**{r: 201 for r in Role.values}, Role.EXPERT: 403}  # experts have no organisation
    return [
        ("POST", "/api/v1/bidding/keys", _only(with_org, anonymous=401), keys),
        # The demo supplier is not registered for the lot: refused for that, not for its role.
        ("POST", f"/api/v1/bidding/lots/{secret_lot}/uploads", _only({Role.SUPPLIER: 403}, anonymous=401),
         {"name": "price.json", "size": 100, "sha256": "0" * 64}),
        ("PUT", f"/api/v1/bidding/uploads/{upload}/chunks/0", _only({Role.SUPPLIER: 404}, anonymous=401),
         {"x": 1}),
        ("POST", f"/api/v1/bidding/lots/{secret_lot}/bids", _only({Role.SUPPLIER: 422}, anonymous=401),
         {"manifest": {"tender": "x", "lot": 1, "bidder": "x", "version": 1, "suite": "INTL-1", "parts": [],
                       "wrapped": {}, "price_part": "p", "key": "k"}, "signature": "AAAA"}),
        ("POST", f"/api/v1/bidding/bids/{bid}/decrypt", _only({Role.SUPPLIER: 409}, anonymous=401),
         {"content_key": "AAAA"}),
        ("POST", f"/api/v1/bidding/bids/{bid}/decrypt-failure", _only({Role.SUPPLIER: 409}, anonymous=401),
         {"reason": "密钥文件丢失"}),
        ("POST", f"/api/v1/bidding/openings/{lot}/respond", _only({Role.SUPPLIER: 409}, anonymous=401),
         {"confirmed": True}),
        ("POST", f"/api/v1/bidding/shares/{holder}/download", _only({Role.AGENCY: 409}, others=404, anonymous=401),
         {"passphrase": ""}),
        ("POST", f"/api/v1/bidding/shares/{holder}/present", _only({Role.AGENCY: 409}, others=404, anonymous=401),
         {"share": "x"}),
    ]
