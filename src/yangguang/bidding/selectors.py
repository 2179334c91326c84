"""Reads of bidding for other apps (contract B, read by evaluation) and for the pages.

Nothing here may be shown before the deadline without going through :mod:`.access`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .models import Bid, KeyHolder, Opening, OpeningKey
from .states import BidStatus, OpeningStatus


@dataclass(frozen=True)
class OpenedBid:
    bid_id: int
    lot_id: int
    organisation_id: int
    bidder_name: str
    credit_code: str
    total_price: Decimal          # as read out at opening (before arithmetic correction)
    terms: dict[str, str]         # other quoted terms from the price sheet
    enterprise_size: str          # "large" | "medium" | "small" | "micro"
    price_lines: list[dict]       # itemised lines for 算术修正
    security_ok: bool             # bid security received (tendering BidSecurity)
    decrypted_by: str             # "bidder" | "remedy"


def opening_concluded(lot: Any) -> bool:
    """The lot's opening record is final (closed after the bidders' confirmations)."""
    return Opening.objects.filter(lot_id=getattr(lot, "pk", lot), status=OpeningStatus.CONCLUDED).exists()


def security_received(lot_id: int, organisation_ids: list[int]) -> set[int]:
    from yangguang.tendering.models import BidSecurity

    return set(BidSecurity.objects.filter(lot_id=lot_id, organisation_id__in=organisation_ids,
                                          refunded_at__isnull=True).values_list("organisation_id", flat=True))


def opened_bids(lot: Any) -> list[OpenedBid]:
    """The valid bids of a concluded opening: decrypted (by the bidder or the remedy path), the latest
    version of each organisation, none withdrawn or revoked. Empty until the opening is concluded."""
    lot_id = getattr(lot, "pk", lot)
    if not opening_concluded(lot_id):
        return []
    bids = list(Bid.objects.filter(lot_id=lot_id, status=BidStatus.OPENED).select_related("organisation")
                .order_by("submitted_at", "pk"))
    secured = security_received(lot_id, [b.organisation_id for b in bids])
    return [_opened(b, b.organisation_id in secured) for b in bids]


def _opened(bid: Bid, security_ok: bool) -> OpenedBid:
    assert bid.total_price is not None
    return OpenedBid(
        bid_id=bid.pk, lot_id=bid.lot_id, organisation_id=bid.organisation_id,
        bidder_name=bid.organisation.name, credit_code=bid.organisation.credit_code,
        total_price=bid.total_price, terms={str(k): str(v) for k, v in (bid.terms or {}).items()},
        enterprise_size=bid.enterprise_size, price_lines=list(bid.price_lines or []),
        security_ok=security_ok, decrypted_by=bid.decrypted_by)


def my_bids(organisation_id: int | None, lot_ids: list[int]) -> list[Bid]:
    """An organisation's own bids (every version) for the given lots — its own, and only those."""
    if organisation_id is None:
        return []
    return list(Bid.objects.filter(organisation_id=organisation_id, lot_id__in=lot_ids)
                .prefetch_related("parts").order_by("lot_id", "-version"))


def opening_rows(opening: Opening) -> list[dict[str, Any]]:
    """The lines of the opening record (唱标): every bid that took part in the opening (submitted when the
    deadline passed), with its decryption status; prices only once decrypted."""
    # Plain rows of only the columns the record shows: the hall re-reads the record after every burst of
    # decryptions, and model instances of the wide bid rows made a 1,000-bid record cost ~100 ms a read.
    bids = list(Bid.objects.filter(lot_id=opening.lot_id).exclude(
        status__in=[BidStatus.DRAFT, BidStatus.WITHDRAWN, BidStatus.REPLACED])
        .order_by("submitted_at", "pk")
        .values_list("pk", "organisation_id", "organisation__name", "status", "total_price", "terms",
                     "enterprise_size", "decrypted_by", "failure_cause"))
    secured = security_received(opening.lot_id, [b[1] for b in bids])
    responses = {r.organisation_id: r for r in opening.responses.all()}
    # Once per record, in the active language (get_status_display translates every choice on every call).
    labels = {value: str(label) for value, label in BidStatus.choices}
    rows = []
    for number, (pk, organisation_id, name, status, total_price, terms, size, decrypted_by, failure_cause) \
            in enumerate(bids, start=1):
        response = responses.get(organisation_id)
        opened = status == BidStatus.OPENED
        rows.append({
            "number": number, "bid": pk, "organisation": organisation_id,
            "bidder": name, "status": status, "status_label": labels.get(status, status),
            "total_price": str(total_price) if opened else None,
            "terms": terms if opened else {},
            "enterprise_size": size if opened else "",
            "security_ok": organisation_id in secured, "decrypted_by": decrypted_by,
            "failure_cause": failure_cause,
            "response": None if response is None else ("confirmed" if response.confirmed else "objection"),
            "objection": "" if response is None else response.objection,
        })
    return rows


def shares_presented(procedure_id: int) -> dict[str, int] | None:
    """The remedy ceremony's progress, shown in the hall: how many holders have presented their share of the
    procedure's opening key, out of the ``k`` needed (None without an opening key). Counts only."""
    key = OpeningKey.objects.filter(procedure_id=procedure_id).only("pk", "k", "n").first()
    if key is None:
        return None
    presented = KeyHolder.objects.filter(opening_key=key).exclude(presented_share="").count()
    return {"presented": presented, "k": key.k, "n": key.n}
