"""Auctions API: public lot state, bid history and the server clock; bids, applications and requests to
continue (bidders); preparation, approvals and the result (centre staff); the bank's deposit notification.

Bids: ``POST /lots/{id}/bids`` with ``{"amount": "…", "idempotency_key": "…"}`` (or the header
``Idempotency-Key``). 201 with the accepted bid (``replayed: true`` for a retry of an accepted bid); a
refusal is 4xx ``{code, message, field}``: 422 ``amount_invalid``/``bid_too_low``/``bid_too_high``/
``idempotency_key_required``, 403 ``not_qualified``/``not_in_session``, 409 ``bidding_not_started``/
``bidding_ended``/``listing_closed``/``offer_already_made``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from yangguang.accounts.access import api_require
from yangguang.accounts.states import Role
from yangguang.core.dbclock import db_now
from yangguang.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import services
from .access import MANAGER_ROLES, READER_ROLES, lot_manageable, lot_visible, registrations_readable
from .banknotify import bank_signature_valid
from .models import Lot, Registration
from .selectors import bid_history, lot_public, lots_visible, registration_of

router = Router(tags=["auctions"])


class BidIn(Schema):
    amount: Any = None
    idempotency_key: str = ""


class ReasonIn(Schema):
    reason: str = ""


class LotIn(Schema):
    project_id: int
    variant: str
    title: str
    starting_price: Any
    reserve_price: Any = None
    increment: Any
    deposit: Any
    listing_starts_at: dt.datetime
    listing_ends_at: dt.datetime
    countdown_seconds: int = 300
    description: str = ""
    eligibility: str = ""
    details: dict[str, str] = {}


def _lot(request: HttpRequest, lot_id: int) -> Lot:
    lot = Lot.objects.select_related("winner", "project").filter(pk=lot_id).first()
    if lot is None or not lot_visible(request.user, lot):
        raise NotFound(_("No such lot."))
    return lot


@router.get("/time", summary="The server's clock (the database clock that decides deadlines)")
def server_time(request: HttpRequest) -> dict:
    return {"server_time": db_now().isoformat()}


@router.get("/lots", summary="Lots open to the public (announced, bidding or ended)")
def lot_list(request: HttpRequest, status: str = "", limit: int = 100, offset: int = 0) -> list[dict]:
    qs = lots_visible(request.user).select_related("winner")
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 500))
    return [lot_public(lot) for lot in qs[offset:offset + limit]]


@router.post("/lots", response={201: dict}, auth=django_auth, summary="Prepare a lot (centre staff)")
def lot_create(request: HttpRequest, data: LotIn) -> Status[dict]:
    from yangguang.projects.models import Project

    user = api_require(request, *MANAGER_ROLES)
    project = Project.objects.select_related("centre").filter(pk=data.project_id).first()
    if project is None:
        raise ValidationFailed(_("No such project."), code="project_unknown", field="project_id")
    lot = services.lot_create(
        actor=user, project=project, variant=data.variant, title=data.title, starting_price=data.starting_price,
        reserve_price=data.reserve_price, increment=data.increment, deposit=data.deposit,
        listing_starts_at=data.listing_starts_at, listing_ends_at=data.listing_ends_at,
        countdown_seconds=data.countdown_seconds, description=data.description, eligibility=data.eligibility,
        details=data.details)
    return Status(201, lot_public(lot))


@router.get("/lots/{lot_id}", summary="A lot's public state (the reserve price only after the end)")
def lot_detail(request: HttpRequest, lot_id: int) -> dict:
    return lot_public(_lot(request, lot_id))


@router.get("/lots/{lot_id}/bids", summary="Accepted bids by bidding number (sealed offers after the end)")
def lot_bids(request: HttpRequest, lot_id: int) -> dict:
    lot = _lot(request, lot_id)
    history = bid_history(lot)
    return {"lot": lot.pk, "sealed": history is None, "bids": history or []}


def _json_object(request: HttpRequest) -> dict:
    """The body as a JSON object; anything else is a clear 422 (the bid endpoint parses its own body so a
    malformed bid gets the same {code, message, field} answer as every other refusal)."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValidationFailed(_("The request must be a JSON object."), code="body_invalid")
    return body


@router.post("/lots/{lot_id}/bids", response={201: dict}, auth=django_auth, summary="Place a bid",
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": BidIn.json_schema()}},
                                            "required": True}})
def bid_create(request: HttpRequest, lot_id: int) -> Status[dict]:
    user = api_require(request, Role.SUPPLIER)
    lot = _lot(request, lot_id)
    body = _json_object(request)
    key = body.get("idempotency_key") or request.headers.get("Idempotency-Key", "")
    result = services.bid_place(actor=user, lot=lot, amount=body.get("amount"), idempotency_key=key)
    return Status(201, result.as_dict())


@router.post("/lots/{lot_id}/announce", auth=django_auth, summary="Publish the sale notice (centre staff)")
def lot_announce(request: HttpRequest, lot_id: int) -> dict:
    user = api_require(request, *MANAGER_ROLES)
    lot = _lot(request, lot_id)
    if not lot_manageable(user, lot):
        raise PermissionDenied(_("Only the staff of the lot's trading centre may announce it."))
    lot, findings = services.lot_announce(actor=user, lot=lot)
    return {**lot_public(lot), "notice": lot.announce_notice, "warnings": [str(f) for f in findings]}


@router.post("/lots/{lot_id}/result", auth=django_auth, summary="Publish the result (centre staff)")
def lot_result(request: HttpRequest, lot_id: int) -> dict:
    user = api_require(request, *MANAGER_ROLES)
    lot = _lot(request, lot_id)
    if not lot_manageable(user, lot):
        raise PermissionDenied(_("Only the staff of the lot's trading centre may publish the result."))
    lot, findings = services.lot_result_publish(actor=user, lot=lot)
    return {**lot_public(lot), "notice": lot.result_notice, "warnings": [str(f) for f in findings]}


def _own(registration: Registration) -> dict:
    return {"id": registration.pk, "lot": registration.lot_id, "status": registration.status,
            "deposit_ref": registration.deposit_ref, "deposit_status": registration.deposit_status,
            "bidding_number": registration.bidding_number or None, "live_requested": registration.live_requested}


@router.post("/lots/{lot_id}/apply", response={201: dict}, auth=django_auth, summary="Apply to bid (bidder)")
def apply(request: HttpRequest, lot_id: int) -> Status[dict]:
    user = api_require(request, Role.SUPPLIER)
    registration = services.registration_apply(actor=user, lot=_lot(request, lot_id))
    return Status(201, _own(registration))


@router.get("/lots/{lot_id}/me", auth=django_auth, summary="Your own application and bidding number (bidder)")
def mine(request: HttpRequest, lot_id: int) -> dict:
    user = api_require(request, Role.SUPPLIER)
    registration = registration_of(user, _lot(request, lot_id))
    if registration is None:
        raise NotFound(_("You have not applied for this lot."))
    return _own(registration)


@router.post("/lots/{lot_id}/continue", auth=django_auth,
             summary="Ask to continue in the timed session (land listing bidder)")
def request_live(request: HttpRequest, lot_id: int) -> dict:
    user = api_require(request, Role.SUPPLIER)
    return _own(services.registration_request_live(actor=user, lot=_lot(request, lot_id)))


@router.get("/lots/{lot_id}/registrations", auth=django_auth,
            summary="Applications (centre staff, supervisors) — without bidding numbers")
def registrations(request: HttpRequest, lot_id: int) -> list[dict]:
    user = api_require(request, *READER_ROLES)
    lot = _lot(request, lot_id)
    if not registrations_readable(user, lot):
        raise PermissionDenied(_("Your role does not give access to this operation."))
    return [{"id": r.pk, "organisation": r.organisation.name, "status": r.status, "deposit_status": r.deposit_status}
            for r in lot.registrations.select_related("organisation").order_by("pk")]


def _registration(request: HttpRequest, registration_id: int) -> tuple[Any, Registration]:
    user = api_require(request, *MANAGER_ROLES)
    registration = Registration.objects.select_related("lot").filter(pk=registration_id).first()
    if registration is None or not lot_manageable(user, registration.lot):
        raise NotFound(_("No such application."))
    return user, registration


@router.post("/registrations/{registration_id}/approve", auth=django_auth, summary="Approve a bidder (staff)")
def approve(request: HttpRequest, registration_id: int) -> dict:
    user, registration = _registration(request, registration_id)
    registration = services.registration_approve(actor=user, registration=registration)
    return {"id": registration.pk, "status": registration.status}


@router.post("/registrations/{registration_id}/reject", auth=django_auth, summary="Reject a bidder (staff)")
def reject(request: HttpRequest, registration_id: int, data: ReasonIn) -> dict:
    user, registration = _registration(request, registration_id)
    registration = services.registration_reject(actor=user, registration=registration, reason=data.reason)
    return {"id": registration.pk, "status": registration.status}


@router.post("/bank/deposits", summary="Bank notification of a deposit (HMAC-SHA256 signed; see banknotify)")
def bank_deposit(request: HttpRequest) -> dict:
    if not bank_signature_valid(request.body, request.headers.get("X-Yangguang-Signature", "")):
        raise PermissionDenied(_("The notification's signature is missing or wrong."), code="signature_invalid")
    body = _json_object(request)
    notification = services.deposit_notify(notification_id=str(body.get("notification_id") or ""),
                                           deposit_ref=str(body.get("deposit_ref") or ""),
                                           amount=body.get("amount"))
    return {"notification_id": notification.notification_id, "outcome": notification.outcome}
