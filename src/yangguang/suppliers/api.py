"""Supplier pool API: public registration (idempotent with an Idempotency-Key header), the supplier's own
registration, and the staff queue with approve/return."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from yangguang.accounts.access import api_require
from yangguang.accounts.models import Region
from yangguang.accounts.states import Role
from yangguang.core.errors import NotFound, PermissionDenied, ValidationFailed

from . import services
from .access import READER_ROLES, REVIEWER_ROLES, supplier_reviewable, supplier_visible
from .models import SupplierProfile
from .selectors import supplier_of, suppliers_visible

router = Router(tags=["suppliers"])


class RegisterIn(Schema):
    name: str
    credit_code: str
    region: str  # division code, e.g. 331100
    classes: list[str]
    primary_class: str = ""
    legal_representative: str
    registered_capital: Decimal
    address: str
    business_scope: str
    contact_name: str = ""
    contact_phone: str = ""
    username: str
    password: str


class RegisterOut(Schema):
    id: int
    status: str


class SupplierOut(Schema):
    id: int
    name: str
    credit_code: str
    region: str
    primary_class: str
    classes: list[str]
    status: str
    credit_status: str
    review_reason: str
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None


class ReasonIn(Schema):
    reason: str = ""


def _out(profile: SupplierProfile) -> dict:
    return {
        "id": profile.pk, "name": profile.organisation.name, "credit_code": profile.organisation.credit_code,
        "region": profile.organisation.region.code, "primary_class": profile.primary_class,
        "classes": profile.classes, "status": profile.status, "credit_status": profile.credit_status,
        "review_reason": profile.review_reason, "submitted_at": profile.submitted_at,
        "reviewed_at": profile.reviewed_at,
    }


@router.post("/register", response={201: RegisterOut}, summary="Register a supplier (public)")
def register(request: HttpRequest, data: RegisterIn) -> Status[dict]:
    region = Region.objects.filter(code=data.region).first()
    if region is None:
        raise ValidationFailed(_("Unknown region code."), code="region_unknown", field="region")
    profile = services.supplier_register(
        actor=request.user, name=data.name, credit_code=data.credit_code, region=region, classes=data.classes,
        primary_class=data.primary_class, legal_representative=data.legal_representative,
        registered_capital=data.registered_capital, address=data.address, business_scope=data.business_scope,
        contact_name=data.contact_name, contact_phone=data.contact_phone, username=data.username,
        password=data.password, idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201, {"id": profile.pk, "status": profile.status})


@router.get("/me", response=SupplierOut, auth=django_auth, summary="The signed-in supplier's registration")
def me(request: HttpRequest) -> dict:
    user = api_require(request, Role.SUPPLIER)
    profile = supplier_of(user)
    if profile is None:
        raise NotFound(_("Your organisation has no supplier registration."))
    return _out(profile)


@router.get("/", response=list[SupplierOut], auth=django_auth, summary="Supplier registrations (staff)")
def supplier_list(request: HttpRequest, status: str = "", supply_class: str = "", limit: int = 100,
                  offset: int = 0) -> list[dict]:
    user = api_require(request, *READER_ROLES)
    qs = suppliers_visible(user, status=status, supply_class=supply_class)
    limit = max(1, min(limit, 500))
    return [_out(p) for p in qs[offset:offset + limit]]


def _reviewable(request: HttpRequest, supplier_id: int) -> tuple[object, SupplierProfile]:
    user = api_require(request, *REVIEWER_ROLES)
    profile = SupplierProfile.objects.select_related("organisation__region").filter(pk=supplier_id).first()
    if profile is None or not supplier_visible(user, profile):
        raise NotFound(_("No such supplier."))
    if not supplier_reviewable(user, profile):
        raise PermissionDenied(_("Your role does not give access to this operation."))
    return user, profile


@router.post("/{supplier_id}/approve", response=SupplierOut, auth=django_auth, summary="Approve a registration")
def approve(request: HttpRequest, supplier_id: int, data: ReasonIn) -> dict:
    user, profile = _reviewable(request, supplier_id)
    return _out(services.supplier_approve(actor=user, profile=profile, reason=data.reason))


@router.post("/{supplier_id}/return", response=SupplierOut, auth=django_auth,
             summary="Return a registration for correction")
def return_(request: HttpRequest, supplier_id: int, data: ReasonIn) -> dict:
    user, profile = _reviewable(request, supplier_id)
    return _out(services.supplier_return(actor=user, profile=profile, reason=data.reason))
