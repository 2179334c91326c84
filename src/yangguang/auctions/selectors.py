"""Reads of the auctions app. Every public shape of a lot is built here, so the secrets (the reserve price,
who holds which number, sealed offers) are withheld in one place."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yangguang.accounts.access import has_role
from yangguang.accounts.states import Role
from yangguang.core.dbclock import db_now

from . import engine
from .access import lot_manageable, lot_visible, registrations_readable
from .models import Bid, Lot, Registration
from .states import ENDED_STATUSES, LotStatus


def lots_visible(user: Any) -> QuerySet[Lot]:
    qs = Lot.objects.select_related("region", "project")
    if has_role(user, Role.PLATFORM_ADMIN):
        return qs
    if has_role(user, Role.CENTRE_STAFF) and user.organisation_id:
        return qs.filter(~Q(status=LotStatus.DRAFT) | Q(region_id=user.organisation.region_id))
    return qs.exclude(status=LotStatus.DRAFT)


def registration_of(user: Any, lot: Lot) -> Registration | None:
    """The user's own organisation's application to this lot (suppliers only)."""
    if not has_role(user, Role.SUPPLIER) or user.organisation_id is None:
        return None
    return Registration.objects.filter(lot=lot, organisation_id=user.organisation_id).first()


def lot_public(lot: Lot) -> dict[str, Any]:
    """What anyone may know about a lot now. The reserve price and the winner only once it has ended."""
    cfg = engine.config(lot.variant)
    ended = lot.status in ENDED_STATUSES
    data: dict[str, Any] = {
        "id": lot.pk, "code": lot.code, "title": lot.title, "variant": lot.variant, "status": lot.status,
        "direction": "down" if cfg.direction < 0 else "up", "sealed": cfg.sealed,
        "starting_price": str(lot.starting_price), "increment": str(lot.increment), "deposit": str(lot.deposit),
        "listing_starts_at": lot.listing_starts_at.isoformat(), "listing_ends_at": lot.listing_ends_at.isoformat(),
        "countdown_seconds": lot.countdown_seconds,
        "countdown_ends_at": lot.countdown_ends_at.isoformat() if lot.countdown_ends_at else None,
        "current_price": None if (cfg.sealed and not ended) or lot.current_price is None else str(lot.current_price),
        "seq": None if cfg.sealed and not ended else lot.bid_count,
        "next_minimum": None, "reserve_price": None, "final_price": None, "winner_number": None,
        "failure_reason": lot.failure_reason or None,
    }
    if lot.status in (LotStatus.LISTING, LotStatus.LIVE, LotStatus.ANNOUNCED) and not cfg.sealed:
        data["next_minimum"] = str(engine.minimum_next(cfg, starting_price=lot.starting_price,
                                                       increment=lot.increment, current_price=lot.current_price))
    if ended:
        data["reserve_price"] = str(lot.reserve_price) if lot.reserve_price is not None else None
        data["final_price"] = str(lot.final_price) if lot.final_price is not None else None
        data["winner_number"] = lot.winner.bidding_number if lot.winner is not None else None
    return data


def bid_history(lot: Lot, *, limit: int | None = None) -> list[dict[str, Any]] | None:
    """Accepted bids by bidding number, newest first; None while sealed offers are still secret."""
    cfg = engine.config(lot.variant)
    if cfg.sealed and lot.status not in ENDED_STATUSES:
        return None
    qs = Bid.objects.filter(lot=lot, accepted=True).order_by("-seq").values_list(
        "seq", "number", "amount", "placed_at")
    if limit:
        qs = qs[:limit]
    return [{"seq": s, "number": n, "amount": str(a), "placed_at": p.isoformat() if p else None}
            for s, n, a, p in qs]


def room_snapshot(user: Any, lot_id: int) -> dict[str, Any] | None:
    """The first message of the live room, or None if the user may not enter. The bidder's own number
    (and the id of its registration, kept server-side by the socket) is the only personal part."""
    lot = Lot.objects.select_related("winner").filter(pk=lot_id).first()
    if lot is None or not lot_visible(user, lot) or lot.status == LotStatus.DRAFT:
        return None
    own = registration_of(user, lot)
    qualified = own if own is not None and own.bidding_number else None
    return {
        "lot": lot_public(lot), "bids": bid_history(lot, limit=50), "server_time": db_now().isoformat(),
        "you": {"number": qualified.bidding_number if qualified else None,
                "live_requested": qualified.live_requested if qualified else False,
                "can_bid": qualified is not None},
        "_registration": qualified.pk if qualified else None,
    }


def registrations_for_staff(user: Any, lot: Lot) -> list[Registration]:
    """Applications for the centre's review: organisation, status and deposit — never the bidding number
    (the template and the API are given objects without it being shown)."""
    if not registrations_readable(user, lot):
        return []
    return list(lot.registrations.select_related("organisation").order_by("pk"))


def winner_visible_name(lot: Lot) -> str | None:
    """The winner's name, public once the sale is sold."""
    if lot.status != LotStatus.SOLD or lot.winner is None:
        return None
    return lot.winner.organisation.name


def manageable(user: Any, lot: Lot) -> bool:
    return lot_manageable(user, lot)
