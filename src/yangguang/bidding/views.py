"""Bidding pages: the bidder's key and sealing pages (the browser seals with seal.js; the server never sees a
plaintext bid before the opening), receipts, the opening-key shares of officials, and the opening hall
(不见面开标) with its live record."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from yangguang.accounts.access import forbidden, has_role, role_required
from yangguang.accounts.states import Role
from yangguang.tendering.access import procedure_visible, procedures_visible
from yangguang.tendering.models import Lot, Registration
from yangguang.tendering.states import ProcedureStatus

from . import services
from .access import hall_visible, lot_biddable, opening_manageable
from .models import Bid, KeyHolder, Opening
from .selectors import opening_rows, shares_presented
from .states import DECRYPTED_BY_LABELS, BidStatus, decryption_format, decryption_text
from .terms import term_labels, terms_text


def _user(request: HttpRequest) -> Any:
    return request.user


def _lot(request: HttpRequest, lot_pk: int) -> Lot:
    lot = Lot.objects.select_related("procedure__project__centre", "procedure__project__region").filter(
        pk=lot_pk).first()
    if lot is None or not procedure_visible(request.user, lot.procedure):
        raise Http404
    return lot


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    lots: list[Lot] = []
    if has_role(user, Role.SUPPLIER):
        registered = set(Registration.objects.filter(organisation_id=user.organisation_id).values_list(
            "lot_id", flat=True))
        lots = [lot for lot in Lot.objects.filter(pk__in=registered, procedure__status=ProcedureStatus.PUBLISHED)
                .select_related("procedure")]
    visible = procedures_visible(user).exclude(status__in=[ProcedureStatus.DRAFT, ProcedureStatus.PUBLISHED])
    openings = [o for o in Opening.objects.filter(lot__procedure__in=visible).select_related("lot__procedure")
                .order_by("-started_at")[:200] if hall_visible(user, o.lot)]
    # Procedures whose bidding closed but whose opening has not started (the worker's step did not run, e.g.
    # no opening key): the buyer side or the centre may start it by hand.
    waiting = [p for p in visible.filter(status=ProcedureStatus.READY_FOR_OPENING)
               .exclude(lots__opening__isnull=False).select_related("project__centre", "project__region")
               .order_by("effective_bid_deadline")[:100] if opening_manageable(user, p)]
    return render(request, "bidding/index.html", {
        "lots": lots, "openings": openings, "key": services.active_key(user), "waiting": waiting,
        "shares": KeyHolder.objects.filter(user=user).select_related("opening_key__procedure"),
        "is_supplier": has_role(user, Role.SUPPLIER)})


@login_required
def keys(request: HttpRequest) -> HttpResponse:
    return render(request, "bidding/keys.html", {"key": services.active_key(request.user)})


@role_required(Role.SUPPLIER)
def lot_seal(request: HttpRequest, lot_pk: int) -> HttpResponse:
    lot = _lot(request, lot_pk)
    if not lot_biddable(request.user, lot):
        return forbidden(request)
    bids = Bid.objects.filter(lot=lot, organisation_id=_user(request).organisation_id).order_by("-version")
    registered = Registration.objects.filter(lot=lot, organisation_id=_user(request).organisation_id).exists()
    return render(request, "bidding/lot.html", {
        "lot": lot, "procedure": lot.procedure, "bids": bids, "registered": registered,
        "key": services.active_key(request.user), "open": lot.procedure.status == ProcedureStatus.PUBLISHED})


@role_required(Role.SUPPLIER)
def receipt(request: HttpRequest, bid_pk: int) -> HttpResponse:
    bid = Bid.objects.filter(pk=bid_pk, organisation_id=_user(request).organisation_id).select_related(
        "lot__procedure").first()
    if bid is None or bid.event_seq is None:
        raise Http404
    data = services.bid_receipt(bid)
    return render(request, "bidding/receipt.html", {"bid": bid, "receipt": data,
                                                    "verified": services.receipt_verify(data)})


@login_required
def shares(request: HttpRequest) -> HttpResponse:
    return render(request, "bidding/shares.html", {
        "holders": KeyHolder.objects.filter(user=_user(request)).select_related("opening_key__procedure")})


@login_required
def hall(request: HttpRequest, lot_pk: int) -> HttpResponse:
    lot = _lot(request, lot_pk)
    if not hall_visible(request.user, lot):
        return forbidden(request, _("The opening hall opens at the bid deadline, to the bidders of the lot, the "
                                    "buyer side, the centre and the supervisors."))
    opening = lot.opening  # type: ignore[attr-defined]
    my_bid = None
    if has_role(request.user, Role.SUPPLIER):
        my_bid = Bid.objects.filter(lot=lot, organisation_id=_user(request).organisation_id).exclude(
            status__in=["draft", "replaced"]).order_by("-version").first()
    holder = KeyHolder.objects.filter(opening_key__procedure=lot.procedure, user=_user(request)).first()
    rows = [{**row, "terms_text": terms_text(row["terms"]),
             "decryption_text": decryption_text(row["status_label"], row["decrypted_by"])}
            for row in opening_rows(opening)]
    # The live record (hall.js) labels statuses in the page's language: the snapshots it receives are
    # built outside any request, in the default language.
    labels = {"status": {value: str(label) for value, label in BidStatus.choices},
              "decrypted_by": {key: str(label) for key, label in DECRYPTED_BY_LABELS.items()},
              "decryption": decryption_format()}
    return render(request, "bidding/hall.html", {
        "lot": lot, "procedure": lot.procedure, "opening": opening, "rows": rows, "term_labels": term_labels(),
        "labels": labels, "shares": shares_presented(lot.procedure_id),
        "my_bid": my_bid, "holder": holder, "manager": opening_manageable(request.user, lot.procedure),
        "key_part": services.KEY_PART})


@login_required
def record_pdf(request: HttpRequest, lot_pk: int) -> HttpResponse | FileResponse:
    lot = _lot(request, lot_pk)
    if not hall_visible(request.user, lot):
        return forbidden(request)
    opening = lot.opening  # type: ignore[attr-defined]
    if not opening.record_path:
        raise Http404
    handle = services._abs(opening.record_path).open("rb")
    return FileResponse(handle, content_type="application/pdf", filename=f"opening-record-{lot.pk}.pdf")
