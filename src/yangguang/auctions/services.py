"""Every write of the auctions app: sale preparation, bidder qualification, bids, the chronograph's steps and
the result.

Concurrency. A bid is decided in one short transaction that locks the lot row and compares the amount with
the price and the countdown end stored on that row. The time of a bid is the database clock read when the
bid arrives (before it queues for the lock), so a bid that arrived before the end is judged as such even if
it waited a few milliseconds for the lock; the chronograph closes a phase only ``settle`` seconds after its
end, so such a bid is never overtaken by the close. A sale ends once: the close is a status move made under
the same row lock. Live messages are sent after commit through the lot's channel-layer group.

On PostgreSQL a bid (other than a sealed offer) is decided by one statement, ``auctions_bids_place``
(migration 0002), that does all of the above inside the database — lock, checks, bid row, lot update and the
event through core's ``yangguang_event_append`` — and, outside a caller's transaction, commits with it; the
live rooms send it several bids of a lot at once (see ``live.BidBatcher``). SQLite keeps the Python path.

Anonymity. Event payloads carry lot ids, bidding numbers and amounts, never an organisation or a user; bids
and applications are logged with the actor ``bidder`` so the public log does not tie a user to a number. The
reserve price enters the log only in the closing event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from yangguang.accounts.access import has_role
from yangguang.accounts.states import Role
from yangguang.catalogue.states import Category
from yangguang.core.codes import code_next
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import days_between, deadline, local_date
from yangguang.core.errors import IllegalTransition, NotFound, PermissionDenied, ServiceError, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.projects.states import ProjectStatus
from yangguang.rules.selectors import rule_param
from yangguang.rules.services import RuleFinding, rule_check

from . import engine
from .access import lot_manageable, project_lot_creatable
from .engine import LiveAfterListing
from .models import Bid, DepositNotification, Lot, Registration
from .states import (
    BIDDING_STATUSES,
    ENDED_STATUSES,
    LOT_MOVES,
    REGISTRATION_MOVES,
    STEP_ANNOUNCE,
    STEP_APPROVE,
    STEP_FAIL,
    STEP_GO_LIVE,
    STEP_OPEN_LISTING,
    STEP_PAY,
    STEP_REJECT,
    STEP_SELL,
    DepositStatus,
    LotStatus,
    RegistrationStatus,
    Variant,
)

log = logging.getLogger(__name__)

BIDDER = "bidder"  # the actor of bids and applications in the public log (identities stay hidden)
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1e13")

# Which project categories each variant serves.
VARIANT_CATEGORIES: dict[str, set[str]] = {
    Variant.LAND_LISTING: {Category.LAND},
    Variant.ENGLISH: {Category.LAND, Category.STATE_ASSETS},
    Variant.ASSET_MULTI_ROUND: {Category.STATE_ASSETS},
    Variant.ASSET_SEALED: {Category.STATE_ASSETS},
    Variant.REVERSE: {Category.GOVERNMENT_PROCUREMENT},
}


def settle_delay() -> dt.timedelta:
    """How long after a phase end the chronograph waits before closing it (bids that arrived before the end
    but still queue for the lot's lock are decided first). Setting ``YANGGUANG_AUCTION_SETTLE_SECONDS``."""
    return dt.timedelta(seconds=float(getattr(settings, "YANGGUANG_AUCTION_SETTLE_SECONDS", 2)))


# ---------------------------------------------------------------- input checks


def _money(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError, TypeError):
        amount = Decimal("NaN")
    if (not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero) or amount >= MAX_AMOUNT
            or amount != amount.quantize(CENT)):
        raise ValidationFailed(_("Enter an amount in yuan, greater than zero, with at most two decimals."),
                               code="amount_invalid", field=field)
    return amount.quantize(CENT)


def _text(value: str, field: str, label: str, *, required: bool = True, limit: int = 4000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(_("Enter the %(label)s.") % {"label": label}, code="required", field=field)
    if len(value) > limit:
        raise ValidationFailed(_("The %(label)s is too long.") % {"label": label}, code="too_long", field=field)
    return value


# ---------------------------------------------------------------- sale preparation


def lot_create(*, actor: Any, project: Any, variant: str, title: str, starting_price: Any, increment: Any,
               deposit: Any, listing_starts_at: dt.datetime, listing_ends_at: dt.datetime,
               reserve_price: Any = None, countdown_seconds: int = 300, description: str = "",
               eligibility: str = "", details: dict | None = None) -> Lot:
    """A lot of an accepted project, in draft. The reserve price is secret until the sale ends."""
    if variant not in engine.PRESETS:
        raise ValidationFailed(_("Choose a bidding method."), code="variant_invalid", field="variant")
    if not project_lot_creatable(actor, project):
        raise PermissionDenied(_("Only the staff of the project's trading centre may prepare its sale."))
    if project.status != ProjectStatus.ACCEPTED:
        raise ValidationFailed(_("Only a project the centre has accepted can be put up for bidding."),
                               code="project_not_accepted", field="project")
    if project.category not in VARIANT_CATEGORIES[variant]:
        raise ValidationFailed(_("This bidding method does not fit the project's trading category."),
                               code="variant_category", field="variant")
    cfg = engine.config(variant)
    title = _text(title, "title", _("title"), limit=200)
    start = _money(starting_price, "starting_price")
    step = _money(increment, "increment")
    deposit_amount = _money(deposit, "deposit", allow_zero=True)
    reserve = None
    if reserve_price not in (None, ""):
        if not cfg.reserve_applies:
            raise ValidationFailed(_("A reverse auction has no reserve price; the starting price is the ceiling."),
                                   code="reserve_not_applicable", field="reserve_price")
        reserve = _money(reserve_price, "reserve_price")
    if listing_starts_at is None or listing_ends_at is None or listing_ends_at <= listing_starts_at:
        raise ValidationFailed(_("The bidding period must end after it starts."), code="period_invalid",
                               field="listing_ends_at")
    if not 10 <= int(countdown_seconds) <= 3600:
        raise ValidationFailed(_("The countdown must be between 10 seconds and one hour."),
                               code="countdown_invalid", field="countdown_seconds")
    if details is not None and not isinstance(details, dict):
        raise ValidationFailed(_("The notice fields must be an object of names and texts."),
                               code="details_invalid", field="details")
    region = project.centre.region
    with transaction.atomic():
        code = code_next(f"{region.code}-PM-{local_date(db_now()).year}", width=5)
        lot = Lot.objects.create(
            code=code, project=project, region=region, variant=variant, title=title,
            description=(description or "").strip(), eligibility=(eligibility or "").strip(),
            details={str(k): str(v) for k, v in (details or {}).items() if v not in (None, "")},
            starting_price=start, reserve_price=reserve, increment=step, deposit=deposit_amount,
            listing_starts_at=listing_starts_at, listing_ends_at=listing_ends_at,
            countdown_seconds=int(countdown_seconds), created_by=actor)
        event_append(action="auctions.lot.created", actor=actor, obj=lot, payload={
            "project": project.pk, "variant": variant, "starting_price": str(start), "increment": str(step),
            "deposit": str(deposit_amount), "starts_at": listing_starts_at.isoformat(),
            "ends_at": listing_ends_at.isoformat(), "countdown_seconds": lot.countdown_seconds,
            "has_reserve": reserve is not None})
    return lot


def lot_rule_findings(lot: Lot, now: dt.datetime) -> list[RuleFinding]:
    """The time-limit rules of rules.md §1.3–§1.4 for this lot, announced at ``now``. An unconfirmed rule
    gives a warning; a confirmed one raises ValidationFailed."""
    findings: list[RuleFinding | None] = []
    category = lot.project.category
    if category == Category.LAND:
        n, unit = rule_param("L-002"), rule_param("L-002", "unit")
        findings.append(rule_check("L-002", passed=days_between(now, lot.listing_starts_at, unit) >= n,
                                   message=_("The notice must be published at least %(n)s days before bidding "
                                             "starts.") % {"n": n}, field="listing_starts_at"))
        if lot.variant == Variant.LAND_LISTING:
            n, unit = rule_param("L-007"), rule_param("L-007", "unit")
            findings.append(rule_check(
                "L-007", passed=days_between(lot.listing_starts_at, lot.listing_ends_at, unit) >= n,
                message=_("The listing period must last at least %(n)s days.") % {"n": n},
                field="listing_ends_at"))
    elif category == Category.STATE_ASSETS:
        n, unit = rule_param("A-001"), rule_param("A-001", "unit")
        findings.append(rule_check("A-001", passed=days_between(now, lot.listing_starts_at, unit) >= n,
                                   message=_("The disclosure period must last at least %(n)s working days.")
                                   % {"n": n}, field="listing_starts_at"))
    return [f for f in findings if f is not None]


def _method_text(lot: Lot) -> str:
    return str(Variant(lot.variant).label)


def _winner_rule(lot: Lot) -> str:
    if engine.config(lot.variant).direction < 0:
        return _("The lowest compliant price wins; on equal prices the earlier bid wins.")
    if lot.variant == Variant.LAND_LISTING:
        return _("The highest offer at or above the reserve price wins; if two or more bidders ask to continue "
                 "when the listing period ends, a timed session decides.")
    return _("The highest bid at or above the reserve price wins; on equal offers the earlier one wins.")


def _sale_notice(lot: Lot) -> tuple[str, dict[str, str]]:
    """The notice type and its fields: the lot's own notice fields first, then what the lot itself says."""
    from yangguang.notices.states import NoticeType

    schedule = _("Bidding %(start)s – %(end)s on this platform; %(method)s; countdown %(seconds)s s") % {
        "start": local_iso(lot.listing_starts_at), "end": local_iso(lot.listing_ends_at),
        "method": _method_text(lot), "seconds": lot.countdown_seconds}
    category = lot.project.category
    if category == Category.LAND:
        base = {
            "seller": lot.project.owner.name, "parcel": f"{lot.title}. {lot.description}".strip(),
            "qualification": lot.eligibility or _("Registered bidders of the platform; apply online."),
            "documents_how": _("Download from the lot's page on this platform."), "schedule": schedule,
            "winner_rule": _winner_rule(lot), "deposit": _("%(amount)s yuan") % {"amount": lot.deposit},
        }
        return NoticeType.LAND_LISTING, {**base, **lot.details}
    if category == Category.STATE_ASSETS:
        base = {
            "subject": f"{lot.title}. {lot.description}".strip(),
            "conditions": _("Starting price %(price)s yuan; deposit %(deposit)s yuan") % {
                "price": lot.starting_price, "deposit": lot.deposit},
            "bidding_method": f"{_method_text(lot)}. {_winner_rule(lot)} {schedule}",
        }
        if lot.eligibility:
            base["buyer_qualification"] = lot.eligibility
        return NoticeType.ASSET_DISCLOSURE, {**base, **lot.details}
    # A reverse auction (电子竞价) of goods the public sector buys.
    base = {
        "purchaser": lot.project.owner.name, "project_name_code": f"{lot.project.code} {lot.title}",
        "main_items": lot.description or lot.title,
        "schedule": _("%(schedule)s; starting price %(price)s yuan, %(rule)s") % {
            "schedule": schedule, "price": lot.starting_price, "rule": _winner_rule(lot)},
        "qualification": lot.eligibility or _("Registered suppliers of the platform; apply online."),
    }
    return NoticeType.REVERSE_AUCTION, {**base, **lot.details}


def local_iso(moment: dt.datetime | None) -> str:
    from yangguang.core.deadlines import SHANGHAI

    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def lot_announce(*, actor: Any, lot: Lot) -> tuple[Lot, list[RuleFinding]]:
    """Publish the sale notice (land transfer notice, asset disclosure, or a centre notice for a reverse
    auction) and open applications. Returns the lot and the warnings of unconfirmed rules."""
    if not lot_manageable(actor, lot):
        raise PermissionDenied(_("Only the staff of the lot's trading centre may announce it."))
    from yangguang.notices.services import notice_publish

    with transaction.atomic():
        locked = Lot.objects.select_for_update().select_related("project__owner").get(pk=lot.pk)
        locked.status = LOT_MOVES.target(STEP_ANNOUNCE, locked.status)
        now = db_now()
        if locked.listing_starts_at <= now:
            raise ValidationFailed(_("Bidding must start after the notice is published."),
                                   code="period_invalid", field="listing_starts_at")
        findings = lot_rule_findings(locked, now)
        notice_type, fields = _sale_notice(locked)
        notice = notice_publish(
            actor=actor, notice_type=notice_type, region=locked.region, project=locked.project,
            title=_("Bidding notice: %(title)s") % {"title": locked.title},
            body_html=f"<p>{locked.code} · {_method_text(locked)}</p>", fields=fields,
            owner=f"auctions.lot:{locked.pk}")
        locked.announce_notice = notice.code
        locked.rule_warnings = [str(f) for f in findings]
        locked.next_check_at = locked.listing_starts_at
        locked.save(update_fields=["status", "announce_notice", "rule_warnings", "next_check_at"])
        event_append(action="auctions.lot.announced", actor=actor, obj=locked,
                     payload={"notice": notice.code, "warnings": [f.code for f in findings]})
    return locked, findings


# ---------------------------------------------------------------- bidder qualification


def registration_apply(*, actor: Any, lot: Lot) -> Registration:
    """A supplier organisation applies to bid. Idempotent: a second application returns the first."""
    if not has_role(actor, Role.SUPPLIER) or actor.organisation_id is None:
        raise PermissionDenied(_("Only a registered bidder's account may apply."))
    existing = Registration.objects.filter(lot=lot, organisation_id=actor.organisation_id).first()
    if existing is not None:
        return existing
    if lot.status not in (LotStatus.ANNOUNCED, LotStatus.LISTING):
        raise IllegalTransition(_("Applications are open only between the notice and the end of the listing."),
                                code="applications_closed")
    if lot.variant == Variant.REVERSE:
        from yangguang.suppliers.models import SupplierProfile
        from yangguang.suppliers.states import SupplierStatus

        if not SupplierProfile.objects.filter(organisation_id=actor.organisation_id,
                                              status=SupplierStatus.APPROVED).exists():
            raise PermissionDenied(_("Only suppliers approved in the supplier pool may take part."),
                                   code="supplier_not_approved")
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                lot=lot, organisation_id=actor.organisation_id, applied_by=actor,
                deposit_ref=f"YGD{secrets.token_hex(6).upper()}")
            if lot.deposit == 0:
                registration.status = REGISTRATION_MOVES.target(STEP_PAY, registration.status)
                registration.deposit_status = DepositStatus.HELD
                registration.deposit_paid = Decimal("0.00")
                registration.save(update_fields=["status", "deposit_status", "deposit_paid"])
            event_append(action="auctions.registration.applied", actor=BIDDER, obj=registration,
                         payload={"lot": lot.pk, "status": registration.status})
    except IntegrityError:
        return Registration.objects.get(lot=lot, organisation_id=actor.organisation_id)
    return registration


def deposit_notify(*, notification_id: str, deposit_ref: str, amount: Any) -> DepositNotification:
    """The bank reports a deposit (signature checked by the caller, see ``banknotify``). A retried
    notification (same id) returns the first outcome."""
    notification_id = _text(notification_id, "notification_id", _("notification id"), limit=64)
    earlier = DepositNotification.objects.filter(notification_id=notification_id).first()
    if earlier is not None:
        return earlier
    paid = _money(amount, "amount")
    registration = Registration.objects.filter(deposit_ref=(deposit_ref or "").strip()).first()
    if registration is None:
        raise ValidationFailed(_("No application has this deposit reference."), code="deposit_ref_unknown",
                               field="deposit_ref")
    try:
        with transaction.atomic():
            locked = Registration.objects.select_for_update().select_related("lot").get(pk=registration.pk)
            if paid < locked.lot.deposit:
                outcome = "insufficient"
            elif locked.status != RegistrationStatus.APPLIED:
                outcome = "already_paid"
            else:
                locked.status = REGISTRATION_MOVES.target(STEP_PAY, locked.status)
                locked.deposit_status = DepositStatus.HELD
                locked.deposit_paid = paid
                locked.save(update_fields=["status", "deposit_status", "deposit_paid"])
                outcome = "accepted"
            notification = DepositNotification.objects.create(
                notification_id=notification_id, registration=locked, amount=paid, outcome=outcome,
                received_at=db_now())
            event_append(action="auctions.deposit.notified", actor="bank", obj=notification,
                         payload={"lot": locked.lot_id, "registration": locked.pk, "amount": str(paid),
                                  "outcome": outcome})
    except IntegrityError:
        return DepositNotification.objects.get(notification_id=notification_id)
    return notification


def _new_number(lot_id: int) -> str:
    taken = set(Registration.objects.filter(lot_id=lot_id).exclude(bidding_number="")
                .values_list("bidding_number", flat=True))
    while True:
        number = f"{100000 + secrets.randbelow(900000)}"
        if number not in taken:
            return number


def registration_approve(*, actor: Any, registration: Registration) -> Registration:
    """Staff approve a bidder whose deposit arrived; the bidder gets a random bidding number that only the
    bidder sees."""
    if not lot_manageable(actor, registration.lot):
        raise PermissionDenied(_("Only the staff of the lot's trading centre may approve bidders."))
    with transaction.atomic():
        locked = Registration.objects.select_for_update().select_related("lot").get(pk=registration.pk)
        if locked.lot.status in ENDED_STATUSES:
            raise IllegalTransition(_("The sale has ended."), code="lot_ended")
        locked.status = REGISTRATION_MOVES.target(STEP_APPROVE, locked.status)
        locked.bidding_number = _new_number(locked.lot_id)
        locked.decided_by = actor
        locked.save(update_fields=["status", "bidding_number", "decided_by"])
        event_append(action="auctions.registration.approved", actor=actor, obj=locked,
                     payload={"lot": locked.lot_id})
    return locked


def registration_reject(*, actor: Any, registration: Registration, reason: str) -> Registration:
    if not lot_manageable(actor, registration.lot):
        raise PermissionDenied(_("Only the staff of the lot's trading centre may reject bidders."))
    reason = _text(reason, "reason", _("reason"), limit=2000)
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        locked.status = REGISTRATION_MOVES.target(STEP_REJECT, locked.status)
        if locked.deposit_status == DepositStatus.HELD:
            locked.deposit_status = DepositStatus.RELEASED
            locked.deposit_refund_due = _refund_due(db_now())
        locked.decided_by = actor
        locked.decision_reason = reason
        locked.save(update_fields=["status", "deposit_status", "deposit_refund_due", "decided_by",
                                   "decision_reason"])
        event_append(action="auctions.registration.rejected", actor=actor, obj=locked,
                     payload={"lot": locked.lot_id})
    return locked


def qualified_registration(user: Any, lot: Lot | int) -> Registration:
    lot_id = lot if isinstance(lot, int) else lot.pk
    registration = None
    if has_role(user, Role.SUPPLIER) and user.organisation_id is not None:
        registration = Registration.objects.filter(lot_id=lot_id, organisation_id=user.organisation_id,
                                                   status=RegistrationStatus.QUALIFIED).first()
    if registration is None:
        raise PermissionDenied(_("You are not a qualified bidder for this lot."), code="not_qualified")
    return registration


def registration_request_live(*, actor: Any, lot: Lot) -> Registration:
    """During a land listing, a qualified bidder asks to continue in a timed session if the listing ends
    contested (L-009)."""
    registration = qualified_registration(actor, lot)
    with transaction.atomic():
        locked_lot = Lot.objects.select_for_update().get(pk=lot.pk)
        now = db_now()
        if engine.config(locked_lot.variant).live_after_listing != LiveAfterListing.ON_REQUESTS:
            raise IllegalTransition(_("This bidding method has no request to continue."), code="not_applicable")
        if locked_lot.status != LotStatus.LISTING or now >= locked_lot.listing_ends_at:
            raise IllegalTransition(_("Requests to continue are taken during the listing period only."),
                                    code="listing_closed")
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if not locked.live_requested:
            locked.live_requested = True
            locked.save(update_fields=["live_requested"])
            event_append(action="auctions.registration.continue_requested", actor=BIDDER, obj=locked_lot,
                         payload={"lot": locked_lot.pk, "number": locked.bidding_number})
    return locked


# ---------------------------------------------------------------- bids


@dataclass(frozen=True)
class BidResult:
    lot_id: int
    seq: int | None
    number: str
    amount: Decimal
    placed_at: dt.datetime | None
    countdown_ends_at: dt.datetime | None
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"lot": self.lot_id, "seq": self.seq, "number": self.number, "amount": str(self.amount),
                "placed_at": self.placed_at.isoformat() if self.placed_at else None,
                "countdown_ends_at": self.countdown_ends_at.isoformat() if self.countdown_ends_at else None,
                "replayed": self.replayed}


def refusal_error(code: str, limit: Decimal | None = None) -> ServiceError:
    """The error of a refused bid, built from its code so a replay speaks the caller's language."""
    if code == "bid_too_low":
        return ValidationFailed(_("Bid refused: it must be at least %(limit)s yuan (the current price plus the "
                                  "increment). Nothing was changed.") % {"limit": limit},
                                code=code, field="amount")
    if code == "bid_too_high":
        return ValidationFailed(_("Bid refused: it must be at most %(limit)s yuan (the current price minus the "
                                  "decrement). Nothing was changed.") % {"limit": limit},
                                code=code, field="amount")
    if code == "not_in_session":
        return PermissionDenied(_("Bid refused: only bidders who asked to continue take part in the timed "
                                  "session."), code=code)
    messages = {
        "bidding_not_started": _("Bid refused: bidding has not started yet."),
        "bidding_ended": _("Bid refused: bidding has ended."),
        "listing_closed": _("Bid refused: the listing period is over; a timed session follows only if two or "
                            "more bidders asked to continue."),
        "offer_already_made": _("Bid refused: one sealed offer per bidder, and yours is already in."),
    }
    return IllegalTransition(messages.get(code, _("Bid refused.")), code=code)


def _key(value: Any) -> str:
    key = str(value or "").strip()
    if not key or len(key) > 64:
        raise ValidationFailed(_("Every bid needs an idempotency key of 1 to 64 characters, so a retry cannot "
                                 "bid twice."), code="idempotency_key_required", field="idempotency_key")
    return key


_SNAPSHOT_SQL: dict[str, str] = {}


def _arrival(lot_id: int) -> tuple[dt.datetime, str, Decimal | None]:
    """The database time of arrival and the lot's status and current price, in one round trip and without
    a lock (used for refusals that later states cannot undo, and for the bid's arrival time)."""
    if connection.vendor != "postgresql":
        now = db_now()
        found = Lot.objects.filter(pk=lot_id).values_list("status", "current_price").first()
        if found is None:
            raise NotFound(_("No such lot."))
        return now, found[0], found[1]
    sql = _SNAPSHOT_SQL.get("pg")
    if sql is None:
        table = connection.ops.quote_name(Lot._meta.db_table)
        sql = _SNAPSHOT_SQL["pg"] = f"SELECT clock_timestamp(), status, current_price FROM {table} WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [lot_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("No such lot."))
    return row[0].astimezone(dt.UTC), row[1], row[2]


def _replay(registration: Registration, key: str) -> BidResult:
    bid = Bid.objects.filter(registration=registration, idempotency_key=key).first()
    if bid is None:  # pragma: no cover - the unique constraint said it exists
        raise ValidationFailed(_("Bid refused."), code="bid_conflict")
    if not bid.accepted:
        raise refusal_error(bid.refusal_code, bid.limit)
    return BidResult(bid.lot_id, bid.seq, bid.number, bid.amount, bid.placed_at, bid.countdown_ends_at,
                     replayed=True)


_REFUSAL_SQL: dict[str, str] = {}


def _record_refusal(lot_id: int, registration: Registration, amount: Decimal, key: str,
                    received_at: dt.datetime, code: str, limit: Decimal | None) -> bool:
    """Store a refusal for replays; False when the key was already used. A refusal changes nothing, so on
    PostgreSQL its one-statement transaction does not wait for the disk (``synchronous_commit`` off for that
    transaction only): a record lost in a crash means a retry is judged again, with the same outcome."""
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                Bid.objects.create(lot_id=lot_id, registration=registration, number=registration.bidding_number,
                                   amount=amount, idempotency_key=key, accepted=False, refusal_code=code,
                                   limit=limit, received_at=received_at)
        except IntegrityError:
            return False
        return True
    # Inside a caller's transaction the setting would reach the caller's writes too: then a plain insert.
    variant = "pg-nested" if connection.in_atomic_block else "pg"
    sql = _REFUSAL_SQL.get(variant)
    if sql is None:
        table = connection.ops.quote_name(Bid._meta.db_table)
        source = ("" if variant == "pg-nested" else
                  "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS local_setting ")
        sql = _REFUSAL_SQL[variant] = (
            f'INSERT INTO {table} (lot_id, registration_id, number, amount, idempotency_key, accepted, '
            f'refusal_code, "limit", received_at, nonce) '
            f"SELECT %s, %s, %s, %s, %s, false, %s, %s, %s, '' {source}"
            f"ON CONFLICT DO NOTHING RETURNING id")
    with connection.cursor() as cursor:
        cursor.execute(sql, [lot_id, registration.pk, registration.bidding_number, amount, key, code, limit,
                             received_at])
        return cursor.fetchone() is not None


def _refuse(lot_id: int, registration: Registration, amount: Decimal, key: str, received_at: dt.datetime,
            code: str, limit: Decimal | None = None) -> BidResult:
    """Record the refusal (so a retry returns it) and raise it; nothing of the lot changes."""
    if not _record_refusal(lot_id, registration, amount, key, received_at, code, limit):
        return _replay(registration, key)
    raise refusal_error(code, limit)


def bid_place(*, actor: Any, lot: Lot | int, amount: Any, idempotency_key: Any,
              registration: Registration | None = None) -> BidResult:
    """Place a bid. Accepted: returns the bid with its sequence number and the new countdown end. Refused:
    raises (422 too low/high or malformed, 403 not qualified, 409 not started/ended) and changes nothing.
    A retry with the same idempotency key returns the first outcome."""
    lot_id = lot if isinstance(lot, int) else lot.pk
    value = _money(amount, "amount")
    key = _key(idempotency_key)
    if registration is None or registration.lot_id != lot_id or not _acts_for(actor, registration):
        registration = qualified_registration(actor, lot_id)
    variant = lot.variant if isinstance(lot, Lot) else Lot.objects.filter(pk=lot_id).values_list(
        "variant", flat=True).first()
    if variant is None:
        raise NotFound(_("No such lot."))
    cfg = engine.config(variant)
    if connection.vendor == "postgresql" and not cfg.sealed:
        placed = _place_pg(lot_id, cfg, registration, value, key)
        if placed is not None:
            return placed
    received_at, status, price = _arrival(lot_id)
    # Refusals that no later state can undo need no lock: an ended sale stays ended, and the current price
    # only moves one way, so an amount that does not beat it now never will.
    if status in ENDED_STATUSES:
        return _refuse(lot_id, registration, value, key, received_at, "bidding_ended")
    if price is not None and not cfg.sealed:
        lot_row = lot if isinstance(lot, Lot) else None
        increment = lot_row.increment if lot_row is not None else Lot.objects.values_list(
            "increment", flat=True).get(pk=lot_id)
        limit = price + increment * cfg.direction
        if not engine.beats(cfg, value, limit):
            return _refuse(lot_id, registration, value, key, received_at,
                           "bid_too_low" if cfg.direction > 0 else "bid_too_high", limit)
    refusal: tuple[str, Decimal | None] | None = None
    message: dict[str, Any] = {}
    try:
        with transaction.atomic():
            locked = Lot.objects.select_for_update().get(pk=lot_id)
            refusal = _check(cfg, locked, registration, value, received_at)
            if refusal is None:
                result, message = _accept(cfg, locked, registration, value, key, received_at)
    except IntegrityError:
        return _replay(registration, key)
    if refusal is not None:
        return _refuse(lot_id, registration, value, key, received_at, *refusal)
    if message:
        from .live import broadcast

        broadcast(lot_id, message)  # after the commit above; a failed broadcast loses no bid
    return result


# ---------------------------------------------------------------- bids in one round trip (PostgreSQL)

PLACE_SQL = ("SELECT * FROM auctions_bids_place(%s::bigint, %s::bigint[], %s::text[], %s::numeric[], %s::text[], "
             "%s::integer, %s::boolean, %s::interval, %s::bigint, %s::boolean, %s::timestamptz)")


def _arrival_instant() -> dt.datetime | None:
    """The arrival time given to the database; None: its clock when the call starts (tests pin it here)."""
    return None


@dataclass(frozen=True)
class BidItem:
    """One bid for :data:`PLACE_SQL`: validated amount and key, and the bidder's registration."""

    registration_id: int
    number: str
    amount: Decimal
    key: str


def bid_item(registration: Registration, amount: Any, idempotency_key: Any) -> BidItem:
    """A bid of ``registration`` checked for form (amount, key); raises :class:`ValidationFailed`."""
    return BidItem(registration.pk, registration.bidding_number, _money(amount, "amount"), _key(idempotency_key))


def bids_batchable(actor: Any, registration: Registration | None, variant: str) -> bool:
    """Whether this bidder's bids on a lot of this variant may go through :data:`PLACE_SQL` directly."""
    return (connection.vendor == "postgresql" and registration is not None and not engine.config(variant).sealed
            and _acts_for(actor, registration))


def judging_order(items: list[BidItem], cfg: engine.EngineConfig) -> list[int]:
    """The order in which the bids of one call are judged (indices into ``items``). The bids of a call share
    one arrival instant — the database clock when the call starts — so none of them came before another;
    they are judged from the least to the most competitive amount (lowest first when prices go up), so
    every bid that beats the price at that instant is recorded as a step, the most competitive one still
    ends up leading, and bids of equal amount keep their order of arrival (the first one wins). Judged in
    the order the server happened to read them instead, a higher bid read a fraction of a millisecond
    earlier would refuse the lower ones of the same instant."""
    return sorted(range(len(items)), key=lambda i: items[i].amount * cfg.direction)


def place_params(lot_id: int, cfg: engine.EngineConfig, items: list[BidItem], *, defer_refusals: bool) -> list[Any]:
    """The parameters of :data:`PLACE_SQL` (migration 0002's ``auctions_bids_place``): the bids of one lot in
    arrival order, judged in that order in one transaction. ``defer_refusals``: when every bid is refused the
    commit does not wait for the disk (only when the call is its own transaction)."""
    from yangguang.core.eventlog import LOG_LOCK_KEY

    return [lot_id, [i.registration_id for i in items], [i.number for i in items], [i.amount for i in items],
            [i.key for i in items], cfg.direction, cfg.live_after_listing == LiveAfterListing.ON_REQUESTS,
            settle_delay(), LOG_LOCK_KEY, defer_refusals, _arrival_instant()]


@dataclass
class PlaceOutcome:
    """What the database said of one bid: ``kind`` is accepted, replay, refused, conflict (the key was taken
    meanwhile: replay it), python (the sale must be opened first: use the Python path) or missing."""

    kind: str
    result: BidResult | None = None
    error: ServiceError | None = None
    message: dict[str, Any] | None = None  # the live update of an accepted bid (to broadcast)


def place_outcome(lot_id: int, registration_id: int, key: str, row: Any) -> PlaceOutcome:
    """Interpret one row of :data:`PLACE_SQL` (call under the caller's language for the error texts)."""
    _index, kind, code, limit, seq, amount, number, placed_at, countdown, status = row
    placed_at = placed_at.astimezone(dt.UTC) if placed_at is not None else None
    countdown = countdown.astimezone(dt.UTC) if countdown is not None else None
    if kind == "accepted":
        result = BidResult(lot_id, seq, number, amount, placed_at, countdown)
        countdown_text = countdown.isoformat() if countdown else None
        message = {"type": "bid", "lot": lot_id, "seq": seq, "number": number, "amount": str(amount),
                   "placed_at": placed_at.isoformat() if placed_at else None, "status": status,
                   "current_price": str(amount), "countdown_ends_at": countdown_text,
                   "_private": {"registration": registration_id, "key": key}}
        return PlaceOutcome(kind, result=result, message=message)
    if kind == "replay":
        if code is None:
            return PlaceOutcome(kind, result=BidResult(lot_id, seq, number, amount, placed_at, countdown,
                                                       replayed=True))
        return PlaceOutcome(kind, error=refusal_error(code, limit))
    if kind == "refused":
        return PlaceOutcome(kind, error=refusal_error(code, limit))
    if kind == "missing":
        return PlaceOutcome(kind, error=NotFound(_("No such lot.")))
    return PlaceOutcome(kind)


def _place_pg(lot_id: int, cfg: engine.EngineConfig, registration: Registration, amount: Decimal,
              key: str) -> BidResult | None:
    """One round trip for the whole bid (lock, checks, insert, lot update, event; the commit too when not
    inside a caller's transaction). None: the Python path must decide (the sale is still to be opened)."""
    item = BidItem(registration.pk, registration.bidding_number, amount, key)
    params = place_params(lot_id, cfg, [item], defer_refusals=not connection.in_atomic_block)
    with connection.cursor() as cursor:
        cursor.execute(PLACE_SQL, params)
        row = cursor.fetchone()
    outcome = place_outcome(lot_id, registration.pk, key, row)
    if outcome.kind == "python":
        return None
    if outcome.kind == "conflict":
        return _replay(registration, key)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    if outcome.message:
        from .live import broadcast

        message = outcome.message
        if connection.in_atomic_block:
            transaction.on_commit(lambda: broadcast(lot_id, message))
        else:
            broadcast(lot_id, message)  # committed: the statement was its own transaction
    return outcome.result


def _acts_for(user: Any, registration: Registration) -> bool:
    return (has_role(user, Role.SUPPLIER) and user.organisation_id == registration.organisation_id
            and registration.status == RegistrationStatus.QUALIFIED)


def _check(cfg: engine.EngineConfig, lot: Lot, registration: Registration, amount: Decimal,
           received_at: dt.datetime) -> tuple[str, Decimal | None] | None:
    """Under the lot's lock: the refusal (code, limit) of this bid, or None if it is accepted."""
    if lot.status in ENDED_STATUSES:
        return "bidding_ended", None
    if received_at < lot.listing_starts_at:
        return "bidding_not_started", None
    if lot.status == LotStatus.ANNOUNCED:
        # The chronograph is late: open the sale here (same step, same row lock) so a valid bid is taken.
        _apply_due(lot, received_at, inline=True)
    if lot.status not in BIDDING_STATUSES:
        return "bidding_not_started", None
    if lot.status == LotStatus.LISTING and received_at >= lot.listing_ends_at:
        return "listing_closed", None
    if lot.status == LotStatus.LIVE:
        if lot.countdown_ends_at is None or received_at >= lot.countdown_ends_at:
            return "bidding_ended", None
        if (cfg.live_after_listing == LiveAfterListing.ON_REQUESTS and lot.live_started_at is not None
                and not Registration.objects.filter(pk=registration.pk, live_requested=True).exists()):
            return "not_in_session", None
    if cfg.sealed and Bid.objects.filter(registration=registration, accepted=True).exists():
        return "offer_already_made", None
    limit = engine.minimum_next(cfg, starting_price=lot.starting_price, increment=lot.increment,
                                current_price=lot.current_price)
    if not engine.beats(cfg, amount, limit):
        return ("bid_too_low" if cfg.direction > 0 else "bid_too_high"), limit
    return None


def _accept(cfg: engine.EngineConfig, lot: Lot, registration: Registration, amount: Decimal, key: str,
            received_at: dt.datetime) -> tuple[BidResult, dict[str, Any]]:
    seq = lot.bid_count + 1
    # Accepted bids are stamped in their order: a bid that arrived earlier but won the lock later takes the
    # previous bid's time, so times never run backwards along the sequence.
    placed_at = max(received_at, lot.last_bid_at) if lot.last_bid_at else received_at
    fields = ["bid_count", "last_bid_at"]
    if not cfg.sealed:
        lot.current_price = amount
        lot.leader = registration
        fields += ["current_price", "leader"]
    if lot.status == LotStatus.LIVE and not cfg.sealed:
        restart = placed_at + dt.timedelta(seconds=lot.countdown_seconds)
        if lot.countdown_ends_at is None or restart > lot.countdown_ends_at:
            lot.countdown_ends_at = restart
            lot.next_check_at = restart + settle_delay()
            fields += ["countdown_ends_at", "next_check_at"]
    lot.bid_count = seq
    lot.last_bid_at = placed_at
    lot.save(update_fields=fields)
    nonce = secrets.token_hex(16) if cfg.sealed else ""
    bid = Bid.objects.create(lot=lot, registration=registration, number=registration.bidding_number,
                             amount=amount, idempotency_key=key, accepted=True, seq=seq, received_at=received_at,
                             placed_at=placed_at, countdown_ends_at=lot.countdown_ends_at, nonce=nonce)
    if cfg.sealed:
        commitment = hashlib.sha256(f"{amount}|{nonce}".encode()).hexdigest()
        payload: dict[str, Any] = {"lot": lot.pk, "seq": seq, "commitment": commitment}
        message: dict[str, Any] = {}
    else:
        payload = {"lot": lot.pk, "seq": seq, "number": registration.bidding_number, "amount": str(amount),
                   "countdown_ends_at": lot.countdown_ends_at.isoformat() if lot.countdown_ends_at else None}
        message = {"type": "bid", "lot": lot.pk, "seq": seq, "number": registration.bidding_number,
                   "amount": str(amount), "placed_at": placed_at.isoformat(), "status": lot.status,
                   "current_price": str(amount), "countdown_ends_at": payload["countdown_ends_at"],
                   # For the server processes' hubs only (removed before anything reaches a socket).
                   "_private": {"registration": registration.pk, "key": key}}
    event_append(action="auctions.bid.accepted", actor=BIDDER, obj=bid, payload=payload)
    result = BidResult(lot.pk, seq, registration.bidding_number, amount, placed_at, lot.countdown_ends_at)
    return result, message


# ---------------------------------------------------------------- the chronograph


def lot_check_due(lot: Lot, now: dt.datetime) -> None:
    """Chronograph step (the row is locked by the claim): apply every step that is due — open the sale,
    move a listing to its timed session or close it, close a timed session — and set the next check."""
    _apply_due(lot, now, inline=False)


def _apply_due(lot: Lot, now: dt.datetime, *, inline: bool) -> None:
    cfg = engine.config(lot.variant)
    settle = settle_delay()
    messages: list[dict[str, Any]] = []
    for _step in range(4):  # at most open → listing → live → closed in one catch-up
        if lot.status == LotStatus.ANNOUNCED and now >= lot.listing_starts_at:
            if cfg.listing_period:
                lot.status = LOT_MOVES.target(STEP_OPEN_LISTING, lot.status)
                lot.next_check_at = lot.listing_ends_at + settle
            else:
                lot.status = LOT_MOVES.target(STEP_GO_LIVE, lot.status)
                lot.countdown_ends_at = lot.listing_ends_at
                lot.next_check_at = lot.listing_ends_at + settle
            lot.save(update_fields=["status", "next_check_at", "countdown_ends_at"])
            event_append(action="auctions.lot.opened", actor="chronograph", obj=lot, payload={"status": lot.status})
            messages.append(_state_message(lot, "opened"))
            continue
        if inline:
            break
        if lot.status == LotStatus.LISTING and now >= lot.listing_ends_at + settle:
            requests = lot.registrations.filter(status=RegistrationStatus.QUALIFIED, live_requested=True).count()
            qualified = lot.registrations.filter(status=RegistrationStatus.QUALIFIED).count()
            go_live = (cfg.live_after_listing == LiveAfterListing.ALWAYS and qualified > 0) or (
                cfg.live_after_listing == LiveAfterListing.ON_REQUESTS and requests >= cfg.live_min_requests)
            if go_live:
                lot.status = LOT_MOVES.target(STEP_GO_LIVE, lot.status)
                lot.live_started_at = now
                lot.countdown_ends_at = now + dt.timedelta(seconds=lot.countdown_seconds)
                lot.next_check_at = lot.countdown_ends_at + settle
                lot.save(update_fields=["status", "live_started_at", "countdown_ends_at", "next_check_at"])
                event_append(action="auctions.lot.live", actor="chronograph", obj=lot, payload={
                    "requests": requests, "countdown_ends_at": lot.countdown_ends_at.isoformat()})
                messages.append(_state_message(lot, "live"))
                continue
            messages.append(_conclude(cfg, lot, lot.listing_ends_at))
            break
        if lot.status == LotStatus.LIVE and lot.countdown_ends_at and now >= lot.countdown_ends_at + settle:
            messages.append(_conclude(cfg, lot, lot.countdown_ends_at))
            break
        break
    if not inline:
        lot.next_check_at = next_check(lot)
        Lot.objects.filter(pk=lot.pk).update(next_check_at=lot.next_check_at)
    if messages:
        from .live import broadcast

        lot_id = lot.pk

        def publish() -> None:
            for message in messages:
                broadcast(lot_id, message)

        transaction.on_commit(publish)


def next_check(lot: Lot) -> dt.datetime | None:
    """A pure function of the lot's state: when the chronograph must look at it next."""
    if lot.status == LotStatus.ANNOUNCED:
        return lot.listing_starts_at
    if lot.status == LotStatus.LISTING:
        return lot.listing_ends_at + settle_delay()
    if lot.status == LotStatus.LIVE and lot.countdown_ends_at is not None:
        return lot.countdown_ends_at + settle_delay()
    return None


def _conclude(cfg: engine.EngineConfig, lot: Lot, ended_at: dt.datetime) -> dict[str, Any]:
    """Close the sale under the row lock: sold to the best bid when it meets the reserve, else failed."""
    accepted = Bid.objects.filter(lot=lot, accepted=True)
    best = accepted.order_by("-amount", "seq").first() if cfg.sealed else accepted.order_by("-seq").first()
    reserve = lot.reserve_price
    payload: dict[str, Any] = {"bids": lot.bid_count, "reserve_price": str(reserve) if reserve is not None else None}
    if cfg.sealed:
        payload["offers"] = [{"seq": b.seq, "number": b.number, "amount": str(b.amount), "nonce": b.nonce}
                             for b in accepted.order_by("seq")]
    if best is None or not engine.reserve_met(cfg, best.amount, reserve):
        lot.status = LOT_MOVES.target(STEP_FAIL, lot.status)
        lot.failure_reason = "no_bids" if best is None else "reserve_not_met"
        payload["reason"] = lot.failure_reason
        action = "auctions.lot.failed"
    else:
        lot.status = LOT_MOVES.target(STEP_SELL, lot.status)
        lot.winner_id = best.registration_id
        lot.final_price = best.amount
        payload.update({"final_price": str(best.amount), "number": best.number, "seq": best.seq,
                        "organisation": best.registration.organisation_id})
        action = "auctions.lot.sold"
    lot.concluded_at = ended_at
    lot.next_check_at = None
    lot.save(update_fields=["status", "failure_reason", "winner", "final_price", "concluded_at", "next_check_at"])
    event_append(action=action, actor="chronograph", obj=lot, payload=payload)
    return _state_message(lot, "ended")


def _state_message(lot: Lot, kind: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": kind, "lot": lot.pk, "status": lot.status, "seq": lot.bid_count,
        "countdown_ends_at": lot.countdown_ends_at.isoformat() if lot.countdown_ends_at else None}
    if lot.status == LotStatus.SOLD:
        message.update({"final_price": str(lot.final_price), "winner_number": lot.winner.bidding_number
                        if lot.winner else None})
    return message


# ---------------------------------------------------------------- the result


def _refund_due(moment: dt.datetime) -> dt.datetime:
    """L-012 (⚠U): deposits of the others are refunded within n working days of the end."""
    return deadline(moment, int(rule_param("L-012")), rule_param("L-012", "unit")).at


def lot_result_publish(*, actor: Any, lot: Lot) -> tuple[Lot, list[RuleFinding]]:
    """Staff publish the result notice (or the failed-sale notice), release the deposits of everyone but
    the winner (whose deposit becomes earnest money, L-012) and open the deal confirmation."""
    if not lot_manageable(actor, lot):
        raise PermissionDenied(_("Only the staff of the lot's trading centre may publish the result."))
    from yangguang.notices.services import notice_publish

    with transaction.atomic():
        locked = Lot.objects.select_for_update(of=("self",)).select_related(
            "project__owner", "winner__organisation").get(pk=lot.pk)
        if locked.status not in ENDED_STATUSES or locked.result_published_at is not None:
            raise IllegalTransition(_("The result can be published once, after the sale has ended."),
                                    code="result_not_publishable")
        now = db_now()
        findings: list[RuleFinding] = []
        n, unit = rule_param("L-011"), rule_param("L-011", "unit")
        if locked.project.category == Category.LAND:
            finding = rule_check("L-011", passed=days_between(locked.concluded_at or now, now, unit) <= n,
                                 message=_("The result must be published within %(n)s working days of the end.")
                                 % {"n": n}, field="result")
            findings += [finding] if finding else []
        notice_type, fields, title = _result_notice(locked)
        notice = notice_publish(actor=actor, notice_type=notice_type, region=locked.region, project=locked.project,
                                title=title, body_html=f"<p>{locked.code}</p>", fields=fields,
                                category=locked.project.category, owner=f"auctions.lot:{locked.pk}")
        refund_due = _refund_due(locked.concluded_at or now)
        released = 0
        for registration in locked.registrations.select_for_update().filter(deposit_status=DepositStatus.HELD):
            if locked.winner_id == registration.pk:
                registration.deposit_status = DepositStatus.CONVERTED
            else:
                registration.deposit_status = DepositStatus.RELEASED
                registration.deposit_refund_due = refund_due
                released += 1
            registration.save(update_fields=["deposit_status", "deposit_refund_due"])
        locked.result_notice = notice.code
        locked.result_published_at = now
        locked.save(update_fields=["result_notice", "result_published_at"])
        event_append(action="auctions.lot.result_published", actor=actor, obj=locked, payload={
            "notice": notice.code, "status": locked.status, "deposits_released": released,
            "refund_due": refund_due.isoformat(), "warnings": [f.code for f in findings]})
    return locked, findings


def _result_notice(lot: Lot) -> tuple[str, dict[str, str], str]:
    from yangguang.notices.states import NoticeType

    method = _method_text(lot)
    if lot.status == LotStatus.FAILED:
        ground = {"no_bids": _("No valid bid was made."),
                  "reserve_not_met": _("The best bid did not reach the reserve price.")}[lot.failure_reason]
        return NoticeType.FAILED_SALE, {
            "subject": f"{lot.project.code} {lot.title}", "ground": ground,
            "next_step": _("The seller may relist the lot after review."),
        }, _("Failed sale notice: %(title)s") % {"title": lot.title}
    assert lot.winner is not None
    winner = lot.winner.organisation.name
    price = _("%(amount)s yuan") % {"amount": lot.final_price}
    if lot.project.category == Category.LAND:
        return NoticeType.LAND_RESULT, {"parcel": f"{lot.title}. {lot.description}".strip(), "winner": winner,
                                        "price": price, "method": method}, \
            _("Land transfer result: %(title)s") % {"title": lot.title}
    if lot.project.category == Category.STATE_ASSETS:
        return NoticeType.ASSET_RESULT, {"subject": lot.title, "buyer": winner, "price": price, "method": method}, \
            _("Transfer result: %(title)s") % {"title": lot.title}
    return NoticeType.REVERSE_AUCTION_RESULT, {
        "project_name_code": f"{lot.project.code} {lot.title}", "supplier": winner, "price": price,
        "bids": _("%(count)s bids; %(rule)s") % {"count": lot.bid_count, "rule": _winner_rule(lot)},
    }, _("Reverse auction result: %(title)s") % {"title": lot.title}
