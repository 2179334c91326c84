"""Sealed bids over JSON: the same services as the pages (and what the browser's seal.js and the bidder
CLI talk to).

Before the deadline every answer about a bid is the caller's own: a supplier sees its own uploads, bids and
receipts; nobody else learns whether a bid exists. The opening endpoints answer only once the lot's
opening has started (:func:`.access.hall_visible`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from yangguang.accounts.access import api_require
from yangguang.accounts.states import Role
from yangguang.core.errors import NotFound, PermissionDenied
from yangguang.tendering.access import procedure_visible
from yangguang.tendering.models import Lot

from . import services
from .access import hall_visible, lot_biddable
from .live import snapshot
from .models import Bid, KeyHolder, Opening, Upload

router = Router(tags=["bidding"])

ALL_ROLES = tuple(Role.values)


class KeyIn(Schema):
    enc: str
    sign: str


class UploadIn(Schema):
    name: str
    size: int
    sha256: str
    chunk_size: int = 1 << 20


class SubmitIn(Schema):
    manifest: dict[str, Any]
    signature: str
    idempotency_key: str = ""


class ContentKeyIn(Schema):
    content_key: str


class DeclareFailureIn(Schema):
    reason: str


class RespondIn(Schema):
    confirmed: bool
    objection: str = ""


class ShareIn(Schema):
    share: str
    passphrase: str = ""


class PassphraseIn(Schema):
    passphrase: str = ""


def _lot(request: HttpRequest, lot_id: int) -> Lot:
    lot = Lot.objects.select_related("procedure__project__centre", "procedure__project__region").filter(
        pk=lot_id).first()
    if lot is None or not procedure_visible(request.user, lot.procedure):
        raise NotFound(_("No such lot."))
    return lot


def _own_bid(request: HttpRequest, bid_id: int) -> Bid:
    user = api_require(request, Role.SUPPLIER)
    bid = Bid.objects.select_related("lot__procedure", "organisation").filter(
        pk=bid_id, organisation_id=user.organisation_id).first()
    if bid is None:
        raise NotFound(_("No such bid."))
    return bid


def _own_upload(request: HttpRequest, upload_id: str) -> Upload:
    user = api_require(request, Role.SUPPLIER)
    upload = Upload.objects.filter(public_id=upload_id, user=user).first() if _uuid_ok(upload_id) else None
    if upload is None:
        raise NotFound(_("No such upload."))
    return upload


def _uuid_ok(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _hall(request: HttpRequest, lot_id: int) -> Opening:
    api_require(request, *ALL_ROLES)
    lot = _lot(request, lot_id)
    if not hall_visible(request.user, lot):
        raise NotFound(_("The opening of this lot has not started, or you have no access to it."))
    return Opening.objects.get(lot=lot)


def _upload_out(upload: Upload) -> dict[str, Any]:
    return {"id": str(upload.public_id), "name": upload.name, "size": upload.expected_size,
            "sha256": upload.expected_sha256, "chunk_size": upload.chunk_size, "chunks": upload.chunk_count,
            "status": upload.status, "missing": services.upload_missing(upload)}


def _bid_out(bid: Bid) -> dict[str, Any]:
    return {"id": bid.pk, "lot": bid.lot_id, "version": bid.version, "status": bid.status, "token": bid.token,
            "submitted_at": bid.submitted_at.isoformat() if bid.submitted_at else None,
            "manifest_sha256": bid.manifest_sha256}


@router.post("/keys", auth=django_auth, response={201: dict}, summary="Register the public bundle of your key")
def key_register(request: HttpRequest, payload: KeyIn) -> Status:
    user = api_require(request, *ALL_ROLES)
    key = services.bidder_key_register(actor=user, enc_public=payload.enc, sign_public=payload.sign)
    return Status(201, {"fingerprint": key.fingerprint, "registered_at": key.registered_at.isoformat()})


@router.get("/lots/{lot_id}/context", auth=django_auth, summary="What a bidder needs to seal a bid for a lot")
def lot_context(request: HttpRequest, lot_id: int) -> dict[str, Any]:
    user = api_require(request, Role.SUPPLIER)
    lot = _lot(request, lot_id)
    if not lot_biddable(user, lot):
        raise PermissionDenied(_("Only a supplier can bid."))
    procedure = lot.procedure
    key = getattr(procedure, "opening_key", None)
    mine = Bid.objects.filter(lot=lot, organisation_id=user.organisation_id).order_by("-version").first()
    own = services.active_key(user)
    return {"tender": procedure.code, "lot": lot.number, "lot_id": lot.pk, "bidder": user.organisation.credit_code,
            "suite": key.suite if key else None, "opening_public_key": key.public_key if key else None,
            "version": (mine.version + 1) if mine else 1, "key_part": services.KEY_PART,
            "deadline": procedure.effective_bid_deadline.isoformat() if procedure.effective_bid_deadline else None,
            "my_key": own.fingerprint if own else None,
            "my_key_enc": own.enc_public if own else None}


@router.post("/lots/{lot_id}/uploads", auth=django_auth, response={201: dict}, summary="Start a chunked upload")
def upload_start(request: HttpRequest, lot_id: int, payload: UploadIn) -> Status:
    user = api_require(request, Role.SUPPLIER)
    upload = services.upload_start(actor=user, lot=_lot(request, lot_id), name=payload.name, size=payload.size,
                                   sha256=payload.sha256, chunk_size=payload.chunk_size)
    return Status(201, _upload_out(upload))


@router.get("/uploads/{upload_id}", auth=django_auth, summary="An upload's state (missing chunks, to resume)")
def upload_detail(request: HttpRequest, upload_id: str) -> dict[str, Any]:
    return _upload_out(_own_upload(request, upload_id))


@router.put("/uploads/{upload_id}/chunks/{index}", auth=django_auth,
            summary="Send one chunk (raw body; header X-Chunk-SHA256); re-sending is harmless")
def upload_chunk(request: HttpRequest, upload_id: str, index: int) -> dict[str, Any]:
    upload = _own_upload(request, upload_id)
    upload = services.upload_chunk(actor=request.user, upload=upload, index=index, data=request.body,
                                   sha256=request.headers.get("X-Chunk-SHA256", ""))
    return _upload_out(upload)


@router.post("/lots/{lot_id}/bids", auth=django_auth, response={201: dict},
             summary="Submit the signed manifest (before the deadline, by the database clock); returns the receipt")
def bid_submit(request: HttpRequest, lot_id: int, payload: SubmitIn) -> Status:
    user = api_require(request, Role.SUPPLIER)
    bid = services.bid_submit(actor=user, lot=_lot(request, lot_id), manifest=payload.manifest,
                              signature=payload.signature, idempotency_key=payload.idempotency_key)
    return Status(201, {"bid": _bid_out(bid), "receipt": services.bid_receipt(bid)})


@router.get("/lots/{lot_id}/bids", auth=django_auth, summary="Your own bids for a lot (every version)")
def my_bids(request: HttpRequest, lot_id: int) -> list[dict[str, Any]]:
    user = api_require(request, Role.SUPPLIER)
    lot = _lot(request, lot_id)
    return [_bid_out(b) for b in Bid.objects.filter(lot=lot, organisation_id=user.organisation_id)
            .order_by("-version")]


@router.get("/bids/{bid_id}/receipt", auth=django_auth, summary="The receipt (回执) of your bid, verifiable offline")
def bid_receipt(request: HttpRequest, bid_id: int) -> dict[str, Any]:
    return services.bid_receipt(_own_bid(request, bid_id))


@router.post("/bids/{bid_id}/withdraw", auth=django_auth, summary="Withdraw your bid before the deadline")
def bid_withdraw(request: HttpRequest, bid_id: int) -> dict[str, Any]:
    return _bid_out(services.bid_withdraw(actor=request.user, bid=_own_bid(request, bid_id)))


def _decryption_out(bid: Bid) -> dict[str, Any]:
    return {**_bid_out(bid), "failure_cause": bid.failure_cause}


@router.post("/bids/{bid_id}/decrypt", auth=django_auth,
             summary="Hand over your content key at the opening (unwrapped on your side)")
def bid_decrypt(request: HttpRequest, bid_id: int, payload: ContentKeyIn) -> dict[str, Any]:
    return _decryption_out(services.bid_decrypt(actor=request.user, bid=_own_bid(request, bid_id),
                                                content_key_b64=payload.content_key))


@router.post("/bids/{bid_id}/decrypt-failure", auth=django_auth,
             summary="Declare, within the window, that you cannot decrypt your bid (the remedy path may open it)")
def bid_decrypt_failure(request: HttpRequest, bid_id: int, payload: DeclareFailureIn) -> dict[str, Any]:
    return _decryption_out(services.bid_decrypt_declare_failure(actor=request.user, bid=_own_bid(request, bid_id),
                                                                reason=payload.reason))


@router.post("/procedures/{procedure_id}/open", auth=django_auth,
             summary="Start the opening by hand after the deadline if the worker did not (too few bids: lots fail)")
def opening_begin(request: HttpRequest, procedure_id: int) -> dict[str, Any]:
    from yangguang.tendering.selectors import procedure_for

    api_require(request, *ALL_ROLES)
    procedure = procedure_for(request.user, procedure_id)
    openings = services.opening_begin(actor=request.user, procedure=procedure)
    procedure.refresh_from_db()
    return {"status": procedure.status, "openings": [o.lot_id for o in openings]}


@router.get("/openings/{lot_id}", auth=django_auth, summary="The opening record of a lot (after the deadline)")
def opening_detail(request: HttpRequest, lot_id: int) -> dict[str, Any]:
    return snapshot(_hall(request, lot_id).lot_id)


@router.post("/openings/{lot_id}/respond", auth=django_auth, summary="Confirm the record or object to it")
def opening_respond(request: HttpRequest, lot_id: int, payload: RespondIn) -> dict[str, Any]:
    user = api_require(request, Role.SUPPLIER)
    opening = _hall(request, lot_id)
    services.opening_respond(actor=user, opening=opening, confirmed=payload.confirmed, objection=payload.objection)
    return snapshot(opening.lot_id)


@router.post("/openings/{lot_id}/remedy", auth=django_auth,
             summary="Remedy path: recover the opening key from the presented shares, open the failed bids")
def opening_remedy(request: HttpRequest, lot_id: int) -> dict[str, Any]:
    opening = _hall(request, lot_id)
    opened = services.opening_remedy(actor=request.user, opening=opening)
    return {"opened": [b.pk for b in opened], **snapshot(opening.lot_id)}


@router.post("/openings/{lot_id}/conclude", auth=django_auth, summary="Close the opening record (PDF in the log)")
def opening_conclude(request: HttpRequest, lot_id: int) -> dict[str, Any]:
    opening = services.opening_conclude(actor=request.user, opening=_hall(request, lot_id))
    return snapshot(opening.lot_id)


def _my_holder(request: HttpRequest, holder_id: int) -> KeyHolder:
    user = api_require(request, *ALL_ROLES)
    holder = KeyHolder.objects.select_related("opening_key__procedure").filter(pk=holder_id, user=user).first()
    if holder is None:
        raise NotFound(_("No such share."))
    return holder


@router.get("/shares", auth=django_auth, summary="The opening-key shares you hold")
def share_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = api_require(request, *ALL_ROLES)
    return [{"id": h.pk, "procedure": h.opening_key.procedure.code, "index": h.index, "k": h.opening_key.k,
             "n": h.opening_key.n, "downloadable": bool(h.pending_share),
             "downloaded_at": h.downloaded_at.isoformat() if h.downloaded_at else None}
            for h in KeyHolder.objects.filter(user=user).select_related("opening_key__procedure")]


@router.post("/shares/{holder_id}/download", auth=django_auth,
             summary="Download your share, once (the platform erases its copy)")
def share_download(request: HttpRequest, holder_id: int, payload: PassphraseIn) -> dict[str, Any]:
    text = services.share_download(actor=request.user, holder=_my_holder(request, holder_id),
                                   passphrase=payload.passphrase or None)
    return {"share": text}


@router.post("/shares/{holder_id}/present", auth=django_auth, summary="Present your share at a remedy ceremony")
def share_present(request: HttpRequest, holder_id: int, payload: ShareIn) -> dict[str, Any]:
    holder = services.share_present(actor=request.user, holder=_my_holder(request, holder_id),
                                    share_text=payload.share, passphrase=payload.passphrase or None)
    return {"id": holder.pk, "index": holder.index, "presented_at": holder.presented_at.isoformat()
            if holder.presented_at else None}
