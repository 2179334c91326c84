"""Pages of the auctions app: the public list and lot page (full bid history after the sale), the live room,
the bidder's own applications, the staff steps and the deal confirmation. Rules live in services/access."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yangguang.accounts.access import forbidden, has_role, role_required
from yangguang.accounts.states import Role
from yangguang.core.errors import ServiceError

from . import engine, services
from .access import MANAGER_ROLES, confirmation_visible, lot_manageable, lot_visible, registrations_readable
from .documents import rmb_upper
from .forms import LotForm
from .models import Lot, Registration
from .selectors import lot_public, lots_visible, registration_of, winner_visible_name
from .states import ENDED_STATUSES, LotStatus


def lot_list(request: HttpRequest) -> HttpResponse:
    lots = lots_visible(request.user).select_related("winner")[:200]
    return render(request, "auctions/list.html", {"lots": lots,
                                                  "can_create": has_role(request.user, *MANAGER_ROLES)})


def _visible_lot(request: HttpRequest, pk: int) -> Lot | None:
    lot = get_object_or_404(Lot.objects.select_related("project__owner", "region", "winner__organisation"), pk=pk)
    return lot if lot_visible(request.user, lot) else None


def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lot = _visible_lot(request, pk)
    if lot is None:
        return forbidden(request)
    ended = lot.status in ENDED_STATUSES
    cfg = engine.config(lot.variant)
    return render(request, "auctions/detail.html", {
        "lot": lot, "state": lot_public(lot), "cfg": cfg, "ended": ended,
        # Published after the sale: every accepted bid by number (sealed offers included).
        "history": lot.bids.filter(accepted=True).order_by("-seq") if ended else None,
        "own": registration_of(request.user, lot),
        "is_supplier": has_role(request.user, Role.SUPPLIER),
        "manageable": lot_manageable(request.user, lot),
        "registrations": list(lot.registrations.select_related("organisation"))
        if registrations_readable(request.user, lot) else None,
        "winner_name": winner_visible_name(lot),
        "confirmation": confirmation_visible(request.user, lot),
    })


def room(request: HttpRequest, pk: int) -> HttpResponse:
    lot = _visible_lot(request, pk)
    if lot is None or lot.status == LotStatus.DRAFT:
        return forbidden(request)
    labels = json.dumps({value: str(label) for value, label in LotStatus.choices}, ensure_ascii=False)
    return render(request, "auctions/room.html", {"lot": lot, "cfg": engine.config(lot.variant),
                                                  "status_labels": labels})


def confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    lot = _visible_lot(request, pk)
    if lot is None or not confirmation_visible(request.user, lot):
        return forbidden(request, _("The deal confirmation is shown to the centre, the seller and the winner "
                                    "of a sold lot."))
    assert lot.final_price is not None
    return render(request, "auctions/confirmation.html", {
        "lot": lot, "winner": lot.winner, "upper": rmb_upper(lot.final_price),
        "method": _method(lot)})


def _method(lot: Lot) -> str:
    from .states import Variant

    return str(Variant(lot.variant).label)


@role_required(Role.SUPPLIER)
def mine(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    registrations = Registration.objects.filter(organisation_id=user.organisation_id).select_related(
        "lot").order_by("-pk") if user.organisation_id else []
    return render(request, "auctions/mine.html", {"registrations": registrations})


def _step(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    lot = _visible_lot(request, pk)
    if lot is None:
        return forbidden(request)
    try:
        outcome = action(lot)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
        for finding in outcome if isinstance(outcome, list) else []:
            messages.warning(request, str(finding))
    return redirect("auctions:detail", pk=lot.pk)


@require_POST
@role_required(Role.SUPPLIER)
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda lot: services.registration_apply(actor=request.user, lot=lot),
                 _("Your application was received. Pay the deposit quoting your reference."))


@require_POST
@role_required(Role.SUPPLIER)
def request_live(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda lot: services.registration_request_live(actor=request.user, lot=lot),
                 _("You will take part in the timed session if the listing ends contested."))


@require_POST
@role_required(*MANAGER_ROLES)
def announce(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda lot: services.lot_announce(actor=request.user, lot=lot)[1],
                 _("The notice was published; applications are open."))


@require_POST
@role_required(*MANAGER_ROLES)
def publish_result(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda lot: services.lot_result_publish(actor=request.user, lot=lot)[1],
                 _("The result was published and the deposits released."))


def _registration_step(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    registration = get_object_or_404(Registration.objects.select_related("lot"), pk=pk)
    if not lot_manageable(request.user, registration.lot):
        return forbidden(request)
    try:
        if approve:
            services.registration_approve(actor=request.user, registration=registration)
        else:
            services.registration_reject(actor=request.user, registration=registration,
                                         reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The bidder was approved.") if approve else _("The application was rejected."))
    return redirect("auctions:detail", pk=registration.lot_id)


@require_POST
@role_required(*MANAGER_ROLES)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _registration_step(request, pk, True)


@require_POST
@role_required(*MANAGER_ROLES)
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _registration_step(request, pk, False)


@role_required(*MANAGER_ROLES)
def lot_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    region_id = None if has_role(user, Role.PLATFORM_ADMIN) else user.organisation.region_id
    form = LotForm(request.POST or None, region_id=region_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lot = services.lot_create(
                actor=request.user, project=data["project"], variant=data["variant"], title=data["title"],
                starting_price=data["starting_price"], reserve_price=data["reserve_price"],
                increment=data["increment"], deposit=data["deposit"], listing_starts_at=data["listing_starts_at"],
                listing_ends_at=data["listing_ends_at"], countdown_seconds=data["countdown_seconds"],
                description=data["description"], eligibility=data["eligibility"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The lot was prepared as a draft."))
            return redirect("auctions:detail", pk=lot.pk)
    return render(request, "auctions/new.html", {"form": form}, status=422 if form.errors else 200)
