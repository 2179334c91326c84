"""Every write of bidding: keys, the opening-key ceremony, chunked uploads, submit / withdraw / replace with
receipts, the deadline (closing head, count, failure), the remote opening (bidder's key, remedy by k-of-n
shares), and the opening record.

The public log names no bidder and no lot before the opening: bid events carry a token and a salted
commitment (as tendering does for registrations). No code path decrypts anything before the deadline: every
function that touches a content key or the opening key first calls :func:`_require_opened`, which checks the
procedure's status, the lot's opening row and the database clock.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import os
import queue
import secrets
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from yangguang.accounts.access import has_role
from yangguang.accounts.models import Organisation, User
from yangguang.accounts.states import OrganisationKind, Role
from yangguang.core.dbclock import db_now
from yangguang.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.tendering.models import Lot, Procedure, Registration
from yangguang.tendering.states import LotStatus, ProcedureStatus

from . import access, gate
from .models import Bid, BidderKey, BidPart, KeyHolder, Opening, OpeningKey, OpeningResponse, Upload, UploadChunk
from .states import (
    BID_MOVES,
    STEP_DEEM_WITHDRAWN,
    STEP_FAIL_DECRYPT,
    STEP_OPEN,
    STEP_REMEDY,
    STEP_REPLACE,
    STEP_REVOKE,
    STEP_SUBMIT,
    STEP_WITHDRAW,
    BidStatus,
    FailureCause,
    OpeningStatus,
    UploadStatus,
)

DEFAULT_SUITE = "INTL-1"
DEFAULT_K, DEFAULT_N = 2, 3
DEFAULT_WINDOW_MINUTES = 30
MAX_PART_BYTES = 2 * 1024 ** 3
MAX_PARTS = 20
CHUNK_MIN, CHUNK_MAX = 64 * 1024, 16 * 1024 * 1024
KEY_PART = "#content-key"
ENTERPRISE_SIZES = ("large", "medium", "small", "micro")


def _seal() -> Any:
    from yangguang import seal

    return seal


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "bids"


def _abs(path: str) -> Path:
    return Path(settings.MEDIA_ROOT) / path


def _commit(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _b64(value: str, field: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise ValidationFailed(_("This is not valid base64."), code="invalid_base64", field=field) from None


def _hex64(value: Any, field: str) -> str:
    text = str(value or "").strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValidationFailed(_("Give a SHA-256 as 64 hexadecimal digits."), code="invalid_sha256", field=field)
    return text


def _supplier_org(actor: Any) -> Organisation:
    _supplier_org_id(actor)
    return actor.organisation  # type: ignore[no-any-return]


def _supplier_org_id(actor: Any) -> int:
    """The actor's organisation id, when the actor is a supplier (no query: the organisation is not loaded)."""
    if not has_role(actor, Role.SUPPLIER) or actor.organisation_id is None:
        raise PermissionDenied(_("Only a supplier can bid."))
    return int(actor.organisation_id)


def _broadcast(lot_id: int) -> None:
    from .live import broadcast_later

    broadcast_later(lot_id)


# --- bidder keys -----------------------------------------------------------------------------------------


def key_fingerprint(enc_public: str, sign_public: str) -> str:
    return hashlib.sha256(_seal().canonical_json({"enc": enc_public, "sign": sign_public})).hexdigest()


def bidder_key_register(*, actor: Any, enc_public: str, sign_public: str) -> BidderKey:
    """Register the public bundle of the user's sealing keys (the previous one is revoked; bids sealed with
    it keep it). Any signed-in user with an organisation may register (bidders, and officials)."""
    if not getattr(actor, "is_authenticated", False) or actor.organisation_id is None:
        raise PermissionDenied(_("Sign in with an organisation account to register a key."))
    for value, field in ((enc_public, "enc"), (sign_public, "sign")):
        if len(_b64(value, field)) != 32:
            raise ValidationFailed(_("A public key is 32 bytes (X25519 / Ed25519) in base64."), code="invalid_key",
                                   field=field)
    fingerprint = key_fingerprint(enc_public, sign_public)
    with transaction.atomic():
        now = db_now()
        current = BidderKey.objects.select_for_update().filter(user=actor, revoked_at__isnull=True).first()
        if current is not None and current.fingerprint == fingerprint:
            return current
        if current is not None:
            current.revoked_at = now
            current.save(update_fields=["revoked_at"])
        key = BidderKey.objects.create(user=actor, organisation_id=actor.organisation_id, enc_public=enc_public,
                                       sign_public=sign_public, fingerprint=fingerprint, registered_at=now)
        event_append(action="bidding.key.registered", actor=actor, obj=key, payload={"fingerprint": fingerprint})
    return key


def active_key(user: Any) -> BidderKey | None:
    return BidderKey.objects.filter(user=user, revoked_at__isnull=True).first()


# --- the opening-key ceremony ----------------------------------------------------------------------------


def _first_user(org_filter: dict[str, Any], role: str) -> User | None:
    return (User.objects.filter(is_active=True, role=role, **{f"organisation__{k}": v for k, v in org_filter.items()})
            .select_related("organisation").order_by("pk").first())


def default_holders(procedure: Procedure, actor: Any = None) -> list[User]:
    """Named officials of different organisations: the buyer side (the publisher, or the agency / purchaser),
    the trading centre of the procedure, and a supervising department of the region (security.md §1.5 A)."""
    project = procedure.project
    candidates: list[User | None] = []
    if isinstance(actor, User) and actor.organisation_id in (project.owner_id, project.agency_id):
        candidates.append(actor)
    else:
        candidates.append(_first_user({"pk": project.agency_id}, Role.AGENCY) if project.agency_id else None)
        candidates.append(_first_user({"pk": project.owner_id}, Role.PURCHASER))
    candidates.append(_first_user({"region_id": project.centre.region_id, "kind": OrganisationKind.TRADING_CENTRE},
                                  Role.CENTRE_STAFF))
    candidates.append(_first_user({"region_id": project.region_id, "kind": OrganisationKind.DEPARTMENT},
                                  Role.DEPARTMENT_SUPERVISOR))
    candidates.append(_first_user({"region_id": project.region_id, "kind": OrganisationKind.DISCIPLINE_INSPECTION},
                                  Role.DISCIPLINE_INSPECTION))
    chosen: list[User] = []
    orgs: set[int] = set()
    for user in candidates:
        if user is not None and user.organisation_id not in orgs:
            chosen.append(user)
            orgs.add(user.organisation_id)  # type: ignore[arg-type]
    return chosen


def opening_key_setup(*, actor: Any, procedure: Procedure, holders: list[User] | None = None) -> OpeningKey | None:
    """Create the procedure's opening key (called at publishing, in its transaction). ``extra`` may set
    ``opening_k``/``opening_n`` (default 2-of-3) and ``opening_holders`` (user ids). The shares wait, each
    for its holder's single download; their commitments, k, n and the holders' ids go into the log. Returns
    None (and logs it) when fewer than two organisations' officials can hold a share."""
    existing = OpeningKey.objects.filter(procedure=procedure).first()
    if existing is not None:
        return existing
    extra = procedure.extra or {}
    if holders is None and extra.get("opening_holders"):
        ids = [int(i) for i in extra["opening_holders"]]
        holders = sorted(User.objects.filter(pk__in=ids, is_active=True), key=lambda u: ids.index(u.pk))
    if holders is None:
        holders = default_holders(procedure, actor)
    n = min(int(extra.get("opening_n", DEFAULT_N)), len(holders))
    holders = holders[:n]
    if len({h.organisation_id for h in holders}) != len(holders) or n < 2:
        event_append(action="bidding.opening_key.unavailable", actor=actor, obj=procedure,
                     payload={"holders": len(holders)})
        return None
    k = max(2, min(int(extra.get("opening_k", DEFAULT_K)), n))
    suite = str(extra.get("seal_suite", DEFAULT_SUITE))
    seal = _seal()
    ceremony = seal.opening_key_create(tender=procedure.code, suite=suite, k=k, n=n)
    # The deadline step is due at the bid deadline whether or not any bid is sealed: a procedure without
    # enough bids is failed by the worker too (opening_key_check_due follows a postponed deadline).
    now = db_now()
    key = OpeningKey.objects.create(procedure=procedure, suite=suite, public_key=ceremony.public_key_b64,
                                    encrypted_private=ceremony.encrypted_private, k=k, n=n,
                                    commitments=list(ceremony.commitments), created_at=now,
                                    next_check_at=procedure.effective_bid_deadline or now)
    for share, holder in zip(ceremony.shares, holders, strict=True):
        KeyHolder.objects.create(opening_key=key, index=share.index, user=holder,
                                 organisation_id=int(holder.organisation_id or 0),
                                 pending_share=seal.share_export(share, tender=procedure.code, passphrase=None))
    del ceremony
    event_append(action="bidding.opening_key.created", actor=actor, obj=procedure, payload={
        "public_key": key.public_key, "suite": suite, "k": k, "n": n, "commitments": key.commitments,
        "encrypted_private_sha256": hashlib.sha256(bytes(key.encrypted_private)).hexdigest(),
        "holders": [{"index": h.index, "user": h.user_id, "organisation": h.organisation_id}
                    for h in key.holders.all()]})
    return key


def share_download(*, actor: Any, holder: KeyHolder, passphrase: str | None = None) -> str:
    """The holder's one download of its share (armoured text; passphrase-protected if one is given). The
    platform's copy is erased in the same transaction."""
    with transaction.atomic():
        locked = KeyHolder.objects.select_for_update(of=("self",)).select_related(
            "opening_key__procedure").get(pk=holder.pk)
        if locked.user_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("Only the named holder may download this share."))
        if not locked.pending_share:
            raise IllegalTransition(_("This share has already been downloaded; the platform keeps no copy."))
        text = locked.pending_share
        if passphrase:
            seal = _seal()
            share = seal.share_import(text, passphrase=None)
            text = seal.share_export(share, tender=locked.opening_key.procedure.code, passphrase=passphrase)
        locked.pending_share = ""
        locked.downloaded_at = db_now()
        locked.save(update_fields=["pending_share", "downloaded_at"])
        event_append(action="bidding.share.downloaded", actor=actor, obj=locked.opening_key.procedure,
                     payload={"index": locked.index})
    return text


# --- uploads ---------------------------------------------------------------------------------------------


def _bidding_open(lot: Lot, now: Any) -> Procedure:
    procedure = lot.procedure
    deadline = procedure.effective_bid_deadline
    if procedure.status != ProcedureStatus.PUBLISHED or deadline is None or now >= deadline:
        raise IllegalTransition(_("The bid deadline has passed: bids are no longer accepted."))
    if procedure.held:
        raise IllegalTransition(_("The procedure is on hold; bids cannot be submitted now."))
    return procedure


def _registered(lot: Lot, organisation_id: int) -> None:
    if not Registration.objects.filter(lot=lot, organisation_id=organisation_id).exists():
        raise PermissionDenied(_("Register for this lot before bidding."))


def upload_start(*, actor: Any, lot: Lot, name: str, size: int, sha256: str, chunk_size: int = 1 << 20) -> Upload:
    """Announce an upload of one ciphertext part (size and SHA-256 known in advance)."""
    org = _supplier_org(actor)
    name = (name or "").strip()
    if not name or len(name) > 120 or "/" in name or name.startswith("#"):
        raise ValidationFailed(_("Give the part a short name without slashes."), code="invalid_name", field="name")
    sha = _hex64(sha256, "sha256")
    if not isinstance(size, int) or size <= 0 or size > MAX_PART_BYTES:
        raise ValidationFailed(_("A part must be between 1 byte and 2 GB."), code="invalid_size", field="size")
    if not isinstance(chunk_size, int) or not CHUNK_MIN <= chunk_size <= CHUNK_MAX:
        raise ValidationFailed(_("The chunk size must be between 64 KB and 16 MB."), code="invalid_chunk_size",
                               field="chunk_size")
    with transaction.atomic():
        now = db_now()
        _bidding_open(lot, now)
        _registered(lot, org.pk)
        upload = Upload.objects.create(lot=lot, organisation=org, user=actor, name=name, expected_size=size,
                                       expected_sha256=sha, chunk_size=chunk_size, created_at=now)
        salt = secrets.token_hex(8)
        event_append(action="bidding.upload.started", actor="bidder", object_type="bidding.upload",
                     object_id=str(upload.public_id), payload={"commitment": _commit(upload.public_id, lot.pk, org.pk,
                                                                                     sha, salt)})
    return upload


def _incoming(upload: Upload) -> Path:
    return _root() / "incoming" / f"{upload.public_id}.part"


def upload_chunk(*, actor: Any, upload: Upload, index: int, data: bytes, sha256: str) -> Upload:
    """Store chunk ``index`` at its offset in the upload's file. Re-sending a stored chunk with the same hash
    changes nothing (idempotent); a different hash for a stored chunk is refused. The last missing chunk
    completes the upload: the whole file is checked against the announced SHA-256 and moved (renamed) to its
    content address. Chunks sent in order are hashed as they arrive, so completion does not re-read the
    file; out-of-order chunks are accepted too, and then completion re-reads it."""
    sha = _hex64(sha256, "sha256")
    if hashlib.sha256(data).hexdigest() != sha:
        raise ValidationFailed(_("The chunk arrived damaged (SHA-256 differs). Send it again."),
                               code="chunk_hash_mismatch", field="data")
    with transaction.atomic():
        locked = Upload.objects.select_for_update(of=("self",)).select_related("lot__procedure").get(pk=upload.pk)
        if locked.user_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("This upload belongs to another user."))
        count = locked.chunk_count
        if not isinstance(index, int) or not 0 <= index < count:
            raise ValidationFailed(_("No such chunk number."), code="invalid_chunk", field="index")
        # This chunk (a re-send?) and the one before it (the running hash's link) in one query.
        rows = {c.index: c for c in UploadChunk.objects.filter(upload=locked, index__in=[index - 1, index])}
        existing = rows.get(index)
        if existing is not None:
            if existing.sha256 != sha:
                raise ValidationFailed(_("This chunk was already received with different content."),
                                       code="chunk_conflict", field="index")
            return locked
        if locked.status != UploadStatus.RECEIVING:
            raise IllegalTransition(_("This upload is already complete."))
        _bidding_open(locked.lot, db_now())
        expected = locked.chunk_size if index < count - 1 else locked.expected_size - locked.chunk_size * (count - 1)
        if len(data) != expected:
            raise ValidationFailed(_("Chunk %(i)s must be %(n)s bytes.") % {"i": index, "n": expected},
                                   code="invalid_chunk_size", field="data")
        path = _incoming(locked)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, data, index * locked.chunk_size)
        finally:
            os.close(fd)
        running, matched = None, True
        if index == 0:
            running = hashlib.sha256()
        elif (previous := rows.get(index - 1)) is not None:
            running = _running_take(locked.pk, index, previous.sha256)
        if running is not None:
            running.update(data)
        UploadChunk.objects.create(upload=locked, index=index, size=len(data), sha256=sha)
        complete = UploadChunk.objects.filter(upload=locked).count() == count
        if complete:
            # In-order chunks ⇒ the running hash covers the whole file: no re-read.
            matched = _upload_finish(locked, path, running if index == count - 1 else None)
        elif running is not None:
            _running_put(locked.pk, index + 1, sha, running)
    if complete and not matched:
        raise ValidationFailed(_("The whole file does not match the announced SHA-256; start the upload again."),
                               code="hash_mismatch", field="sha256")
    return locked


# The running SHA-256 of uploads whose chunks arrive in order, per server process: upload id → (next chunk
# index, SHA-256 of the previous chunk, hash state over chunks 0…next-1). A state is used only when the
# previous chunk's row (committed, with that hash) is found with the next chunk, so a state advanced by a
# transaction that rolled back, or held by another process, is never used: such uploads (and out-of-order
# ones, and every upload after a restart) fall back to re-reading the file at completion.
_RUNNING: OrderedDict[int, tuple[int, str, Any]] = OrderedDict()
_RUNNING_LOCK = threading.Lock()
RUNNING_MAX = 1024


def _running_take(upload_id: int, index: int, previous_sha: str) -> Any:
    with _RUNNING_LOCK:
        entry = _RUNNING.pop(upload_id, None)
    if entry is not None and entry[0] == index and entry[1] == previous_sha:
        return entry[2]
    return None


def _running_put(upload_id: int, next_index: int, last_sha: str, state: Any) -> None:
    with _RUNNING_LOCK:
        _RUNNING[upload_id] = (next_index, last_sha, state)
        while len(_RUNNING) > RUNNING_MAX:
            _RUNNING.popitem(last=False)


def _upload_finish(upload: Upload, path: Path, running: Any = None) -> bool:
    """Check the whole file (by the running hash when every chunk came in order, else by re-reading it) and
    move it to its content address. On a mismatch the chunks and the file are discarded (committed by the
    caller, which then refuses) and False is returned."""
    if running is None:
        running = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                running.update(block)
    if running.hexdigest() != upload.expected_sha256 or path.stat().st_size != upload.expected_size:
        # Every chunk matched its own hash, so the announced whole-file hash was wrong: start again.
        UploadChunk.objects.filter(upload=upload).delete()
        path.unlink(missing_ok=True)
        return False
    relative = f"bids/{upload.expected_sha256[:2]}/{upload.expected_sha256}"
    target = _abs(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, target)
    upload.status, upload.path, upload.completed_at = UploadStatus.COMPLETE, relative, db_now()
    upload.save(update_fields=["status", "path", "completed_at"])
    event_append(action="bidding.upload.completed", actor="bidder", object_type="bidding.upload",
                 object_id=str(upload.public_id), payload={"sha256": upload.expected_sha256})
    return True


def upload_missing(upload: Upload) -> list[int]:
    have = set(upload.chunks.values_list("index", flat=True))
    return [i for i in range(upload.chunk_count) if i not in have]


# --- submit, withdraw, replace, receipts ---------------------------------------------------------------


def bid_aad(procedure: Procedure, lot: Lot, credit_code: str, version: int, part: str, suite: str) -> bytes:
    return _seal().bid_aad(tender=procedure.code, lot=lot.number, bidder=credit_code, version=version, part=part,
                           suite=suite)


def _manifest_parse(manifest: Any) -> tuple[dict[str, Any], bytes]:
    if isinstance(manifest, str):
        try:
            manifest = json.loads(manifest)
        except ValueError:
            raise ValidationFailed(_("The manifest is not valid JSON."), code="invalid_manifest",
                                   field="manifest") from None
    if not isinstance(manifest, dict):
        raise ValidationFailed(_("The manifest must be a JSON object."), code="invalid_manifest", field="manifest")
    required = {"tender", "lot", "bidder", "version", "suite", "parts", "wrapped", "price_part", "key"}
    missing = sorted(required - set(manifest))
    if missing:
        raise ValidationFailed(_("The manifest lacks: %(f)s.") % {"f": ", ".join(missing)}, code="invalid_manifest",
                               field="manifest")
    return manifest, _seal().canonical_json(manifest)


def bid_submit(*, actor: Any, lot: Lot, manifest: Any, signature: str, idempotency_key: str = "") -> Bid:
    """Accept a signed manifest before the deadline, by the database clock, in the transaction that
    records it. A later version replaces the organisation's submitted one (kept, status ``replaced``). The
    same idempotency key returns the bid already recorded and changes nothing."""
    org = _supplier_org(actor)
    idempotency_key = (idempotency_key or "").strip()[:80]
    if idempotency_key:
        done = Bid.objects.filter(organisation=org, idempotency_key=idempotency_key).first()
        if done is not None:
            return done
    data, canonical = _manifest_parse(manifest)
    seal = _seal()
    procedure = lot.procedure
    if data["tender"] != procedure.code or data["lot"] != lot.number or data["bidder"] != org.credit_code:
        raise ValidationFailed(_("The manifest is for another tender, lot or bidder."), code="manifest_mismatch",
                               field="manifest")
    if data["suite"] not in seal.SUITES:
        raise ValidationFailed(_("Unknown cipher suite."), code="invalid_suite", field="manifest")
    key = BidderKey.objects.filter(user=actor, revoked_at__isnull=True, fingerprint=data["key"]).first()
    if key is None:
        raise ValidationFailed(_("The manifest names no active key of yours; register your key first."),
                               code="unknown_key", field="manifest")
    if not isinstance(signature, str) or not seal.verify_message(canonical, signature, key.sign_public):
        raise ValidationFailed(_("The signature does not verify with your registered key."), code="bad_signature",
                               field="signature")
    parts = data["parts"]
    if not isinstance(parts, list) or not 1 <= len(parts) <= MAX_PARTS:
        raise ValidationFailed(_("A bid has 1 to 20 parts."), code="invalid_parts", field="manifest")
    names = [p.get("name") for p in parts if isinstance(p, dict)]
    if len(names) != len(parts) or len(set(names)) != len(names) or data["price_part"] not in names:
        raise ValidationFailed(_("Parts need distinct names, and the price sheet must be one of them."),
                               code="invalid_parts", field="manifest")
    wrapped = data["wrapped"]
    if not isinstance(wrapped, dict) or not isinstance(wrapped.get("bidder"), dict) or \
            not isinstance(wrapped.get("opening"), dict):
        raise ValidationFailed(_("The content key must be wrapped to your key and to the opening key."),
                               code="invalid_wrapped", field="manifest")
    opening_key = OpeningKey.objects.filter(procedure_id=procedure.pk).first()
    if opening_key is None:
        raise IllegalTransition(_("This procedure has no opening key yet; bids cannot be sealed for it."))
    # Armed only once every holder has taken its share: from the first bid on, the platform holds no share,
    # so a copy of its database and files cannot open a bid by the remedy path.
    if KeyHolder.objects.filter(opening_key=opening_key).exclude(pending_share="").exists():
        raise IllegalTransition(_("Not every holder of the opening key has downloaded its share yet; bids are "
                                  "accepted once they have."))
    version = data["version"]
    if not isinstance(version, int) or version < 1:
        raise ValidationFailed(_("Invalid version."), code="invalid_manifest", field="manifest")
    with transaction.atomic():
        # The deadline step updates the lot: it waits for us (and we see the procedure as it is now).
        locked_lot = Lot.objects.select_for_update(of=("self",)).select_related("procedure").get(pk=lot.pk)
        now = db_now()
        fresh = locked_lot.procedure
        lot.procedure = fresh
        _bidding_open(lot, now)
        _registered(lot, org.pk)
        mine = list(Bid.objects.select_for_update().filter(lot=lot, organisation=org).order_by("version"))
        if version != (mine[-1].version + 1 if mine else 1):
            raise ValidationFailed(_("The manifest's version must be %(v)s.") % {"v": mine[-1].version + 1 if mine
                                                                                  else 1},
                                   code="invalid_version", field="manifest")
        uploads = {}
        for part in parts:
            sha = _hex64(part.get("sha256"), "manifest")
            upload = Upload.objects.filter(lot=lot, organisation=org, expected_sha256=sha,
                                           status=UploadStatus.COMPLETE).first()
            if upload is None or upload.expected_size != part.get("size"):
                raise ValidationFailed(_("Part “%(n)s” has not been uploaded completely.") % {"n": part["name"]},
                                       code="part_missing", field="manifest")
            uploads[part["name"]] = upload
        for previous in mine:
            if previous.status == BidStatus.SUBMITTED:
                previous.status = BID_MOVES.target(STEP_REPLACE, previous.status)
                previous.ended_at = now
                previous.save(update_fields=["status", "ended_at"])
        bid = Bid(lot=lot, organisation=org, version=version, suite=data["suite"], key=key,
                  manifest=canonical.decode(), manifest_sha256=hashlib.sha256(canonical).hexdigest(),
                  signature=signature, wrapped_bidder=wrapped["bidder"], wrapped_opening=wrapped["opening"],
                  price_part=data["price_part"], submitted_by=actor, submitted_at=now,
                  idempotency_key=idempotency_key, token=secrets.token_hex(16), salt=secrets.token_hex(16))
        bid.status = BID_MOVES.target(STEP_SUBMIT, BidStatus.DRAFT)
        # The version is unique per lot and organisation, and the lot row is locked: no concurrent duplicate.
        event = event_append(action="bidding.bid.submitted", actor="bidder", object_type="bidding.bid",
                             object_id=bid.token, payload={
                                 "commitment": _commit(bid.token, lot.pk, org.pk, version, bid.manifest_sha256,
                                                       bid.salt),
                                 "manifest_sha256": bid.manifest_sha256})
        bid.event_seq = event.seq
        bid.save()
        BidPart.objects.bulk_create([BidPart(bid=bid, name=p["name"], sha256=uploads[p["name"]].expected_sha256,
                                             size=uploads[p["name"]].expected_size, path=uploads[p["name"]].path)
                                     for p in parts])
        # The deadline step is scheduled at publishing; a key created before that rule is scheduled here.
        if opening_key.next_check_at is None:
            OpeningKey.objects.filter(pk=opening_key.pk, next_check_at__isnull=True).update(
                next_check_at=fresh.effective_bid_deadline)
    return bid


def bid_withdraw(*, actor: Any, bid: Bid) -> Bid:
    """撤回 before the deadline (by the database clock). The bid stays on record as withdrawn."""
    org = _supplier_org(actor)
    if bid.organisation_id != org.pk:
        raise PermissionDenied(_("This bid belongs to another bidder."))
    with transaction.atomic():
        Lot.objects.select_for_update().get(pk=bid.lot_id)
        locked = Bid.objects.select_for_update(of=("self",)).select_related("lot__procedure").get(pk=bid.pk)
        _bidding_open(locked.lot, db_now())
        locked.status = BID_MOVES.target(STEP_WITHDRAW, locked.status)
        locked.ended_at = db_now()
        locked.save(update_fields=["status", "ended_at"])
        event_append(action="bidding.bid.withdrawn", actor="bidder", object_type="bidding.bid",
                     object_id=locked.token, payload={"commitment": _commit(locked.token, "withdrawn", locked.salt)})
    return locked


def bid_receipt(bid: Bid) -> dict[str, Any]:
    """The 回执: the log entry of the submit (index, leaf), an inclusion proof under a signed log head
    (signed now if none covers the entry yet), the ciphertext hashes, the server time — and the platform's
    signature over all of it."""
    from yangguang.core.eventlog import checkpoint_sign, head, inclusion_proof
    from yangguang.core.models import Event
    from yangguang.core.signing import platform_key

    if bid.event_seq is None:
        raise NotFound(_("This bid has no receipt."))
    event = Event.objects.get(seq=bid.event_seq)
    checkpoint = _head_covering(bid.event_seq, checkpoint_sign, head)
    proof = _proof(bid.event_seq, checkpoint.size, inclusion_proof)
    body = {
        "kind": "yangguang.bid-receipt/1", "bid": bid.token, "version": bid.version, "status": bid.status,
        "manifest_sha256": bid.manifest_sha256, "signature": bid.signature,
        "parts": [{"name": p.name, "sha256": p.sha256, "size": p.size} for p in bid.parts.all()],
        "submitted_at": bid.submitted_at.isoformat() if bid.submitted_at else None,
        "log": {"index": event.seq, "leaf_hash": event.leaf_hash, "action": event.action,
                "payload": event.payload, "created_at": event.created_at.isoformat(),
                "proof": [h.hex() for h in proof],
                "head": {"size": checkpoint.size, "root_hash": checkpoint.root_hash, "note": checkpoint.note,
                         "signature": checkpoint.signature, "public_key": checkpoint.public_key}},
    }
    key = platform_key()
    body["platform_signature"] = base64.b64encode(key.sign(_seal().canonical_json(body))).decode()
    body["platform_public_key"] = key.public_b64()
    return body


def _proof(index: int, size: int, fallback: Any) -> list[bytes]:
    """The inclusion proof with two queries (leaves and stored nodes fetched together), not one per node; the
    core's function when a node is not stored yet."""
    from yangguang.core import merkle
    from yangguang.core.models import Event, MerkleNode

    wanted: list[tuple[int, int]] = []

    def record(level: int, i: int) -> bytes:
        wanted.append((level, i))
        return bytes(32)

    merkle.inclusion_path(index, size, record)
    leaves = {i for level, i in wanted if level == 0}
    found: dict[tuple[int, int], bytes] = {
        (0, seq): bytes.fromhex(h) for seq, h in Event.objects.filter(seq__in=leaves).values_list("seq", "leaf_hash")}
    nodes = [(level, i) for level, i in wanted if level > 0]
    if nodes:
        from django.db.models import Q

        condition = Q()
        for level, i in nodes:
            condition |= Q(level=level, index=i)
        found.update({(level, i): bytes.fromhex(h) for level, i, h in
                      MerkleNode.objects.filter(condition).values_list("level", "index", "hash")})
    if any(key not in found for key in wanted):
        return fallback(index, size)  # type: ignore[no-any-return]
    return merkle.inclusion_path(index, size, lambda level, i: found[(level, i)])


_RECEIPT_LOCK = 0x59475F4249445F52  # "YG_BID_R": one signer of receipt heads at a time


def _head_covering(seq: int, sign: Any, latest: Any) -> Any:
    """A signed log head covering entry ``seq``: the latest if it does; else one request signs a new head
    (covering every submit committed so far) while the others of a burst wait briefly for it instead of
    each signing its own — group commit for heads. On SQLite every request signs (one writer anyway)."""
    import time

    from django.db import connection

    checkpoint = latest()
    if checkpoint is not None and checkpoint.size > seq:
        return checkpoint
    if connection.vendor != "postgresql":
        return sign(reason="bid receipt")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_RECEIPT_LOCK])
        leader = cursor.fetchone()[0]
    if leader:
        try:
            return sign(reason="bid receipts")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_RECEIPT_LOCK])
    give_up = time.monotonic() + 0.5
    while time.monotonic() < give_up:
        time.sleep(0.005)
        checkpoint = latest()
        if checkpoint is not None and checkpoint.size > seq:
            return checkpoint
    return sign(reason="bid receipt")


def receipt_verify(receipt: dict[str, Any]) -> bool:
    """What a bidder checks: the platform signature, the head's signature and the inclusion proof."""
    from yangguang.core import merkle
    from yangguang.core.signing import verify_signature

    body = {k: v for k, v in receipt.items() if k not in ("platform_signature", "platform_public_key")}
    if not verify_signature(receipt["platform_public_key"], _seal().canonical_json(body),
                            receipt["platform_signature"]):
        return False
    log = receipt["log"]
    head = log["head"]
    if not verify_signature(head["public_key"], head["note"].encode(), head["signature"]):
        return False
    return merkle.verify_inclusion(log["index"], head["size"], bytes.fromhex(log["leaf_hash"]),
                                   [bytes.fromhex(h) for h in log["proof"]], bytes.fromhex(head["root_hash"]))


# --- the deadline --------------------------------------------------------------------------------------


def _window_minutes(procedure: Procedure) -> int:
    try:
        return max(1, int((procedure.extra or {}).get("decrypt_window_minutes", DEFAULT_WINDOW_MINUTES)))
    except (TypeError, ValueError):
        return DEFAULT_WINDOW_MINUTES


def _failure_rule(procedure: Procedure) -> str:
    rule = (procedure.extra or {}).get("decrypt_failure_rule", "remedy")
    return "revoke" if rule == "revoke" else "remedy"


def _minimum(procedure: Procedure) -> int:
    rule = procedure.preset.min_bidders
    return rule.n() if rule is not None else 1


def opening_key_check_due(opening_key: OpeningKey, now: Any) -> None:
    """Chronograph handler (one locked opening key = one procedure): once tendering has closed bidding, sign
    the closing log head and start the opening of each lot, or fail lots with too few bids."""
    from datetime import timedelta

    procedure = Procedure.objects.select_for_update().get(pk=opening_key.procedure_id)
    if procedure.status == ProcedureStatus.PUBLISHED:
        # Tendering has not closed bidding yet (or the deadline was postponed): look again then.
        deadline = procedure.effective_bid_deadline
        opening_key.next_check_at = deadline if deadline and deadline > now else now + timedelta(seconds=5)
        opening_key.save(update_fields=["next_check_at"])
        return
    opening_key.next_check_at = None
    opening_key.save(update_fields=["next_check_at"])
    if procedure.status != ProcedureStatus.READY_FOR_OPENING:
        return
    opening_start(procedure=procedure, now=now)


def opening_begin(*, actor: Any, procedure: Procedure) -> list[Opening]:
    """Start the opening by hand (the buyer side or the centre), for a procedure whose deadline passed
    without the worker's step — e.g. the worker was down, or the procedure has no opening key (too few
    holders at publishing); too few bids fail the lots here as in the worker's step."""
    if not access.opening_manageable(actor, procedure):
        raise PermissionDenied(_("Only the buyer side or the centre may start the opening."))
    with transaction.atomic():
        locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if locked.status != ProcedureStatus.READY_FOR_OPENING:
            raise IllegalTransition(_("Only a procedure whose bidding has closed can be opened."))
        if Opening.objects.filter(lot__procedure=locked).exists():
            raise IllegalTransition(_("The opening has already started."))
        OpeningKey.objects.filter(procedure=locked).update(next_check_at=None)
        openings = opening_start(procedure=locked, now=db_now())
    return openings


def opening_start(*, procedure: Procedure, now: Any) -> list[Opening]:
    """At the deadline (procedure locked by the caller): count the submitted bids of each lot still ready
    for opening; fewer than the method requires fails the lot; the others open with the decryption window.
    All lots failed ⇒ the procedure fails (then announced through tendering's failure notice)."""
    from datetime import timedelta

    from yangguang.core.eventlog import checkpoint_sign
    from yangguang.tendering.states import PROCEDURE_MOVES, STEP_FAIL_AT_OPENING

    minimum = _minimum(procedure)
    window = timedelta(minutes=_window_minutes(procedure))
    openings = []
    lots = list(Lot.objects.select_for_update().filter(procedure=procedure).order_by("number"))
    states: dict[str, Any] = {}
    # The closing head: signed over every submit before the deadline, before anything is counted or opened.
    last = checkpoint_sign(reason=f"bids closed: {procedure.code}", force=True)
    for lot in lots:
        if lot.status != LotStatus.READY_FOR_OPENING or Opening.objects.filter(lot=lot).exists():
            continue
        count = Bid.objects.filter(lot=lot, status=BidStatus.SUBMITTED).count()
        if count < minimum:
            lot.status = LotStatus.FAILED
            lot.save(update_fields=["status"])
            states[str(lot.number)] = {"status": "failed", "bids": count}
            continue
        opening = Opening.objects.create(lot=lot, started_at=now, window_ends_at=now + window, bid_count=count,
                                         next_check_at=now + window,
                                         closing_size=last.size, closing_root=last.root_hash)
        openings.append(opening)
        states[str(lot.number)] = {"status": "opening", "bids": count}
    if lots and not openings and not Opening.objects.filter(lot__procedure=procedure).exists():
        procedure.status = PROCEDURE_MOVES.target(STEP_FAIL_AT_OPENING, procedure.status)
        procedure.failure_ground = _("Fewer than %(n)s bids were submitted for every lot.") % {"n": minimum}
        procedure.save(update_fields=["status", "failure_ground"])
    event_append(action="bidding.bids.closed", actor="worker", obj=procedure,
                 payload={"lots": states, "minimum": minimum, "window_minutes": _window_minutes(procedure),
                          "closing_head": {"size": last.size, "root_hash": last.root_hash}})
    return openings


def opening_check_due(opening: Opening, now: Any) -> None:
    """Chronograph handler: when the decryption window ends, every bid not yet decrypted by its bidder is
    recorded as failed (cause: bidder) — the remedy path or revocation follows the procedure's rule."""
    opening.next_check_at = None
    opening.save(update_fields=["next_check_at"])
    if opening.status != OpeningStatus.OPEN:
        return
    for bid in Bid.objects.select_for_update().filter(lot_id=opening.lot_id, status=BidStatus.SUBMITTED):
        _fail(bid, FailureCause.BIDDER, "window ended", actor="worker")
    transaction.on_commit(lambda: _broadcast(opening.lot_id))


# --- opening ---------------------------------------------------------------------------------------------


def _require_opened(lot: Lot, now: Any) -> Opening:
    """The single gate of every decryption: the deadline passed by the database clock, bidding closed and
    the lot's opening started. Refuses otherwise, whoever asks."""
    procedure = Procedure.objects.get(pk=lot.procedure_id)
    deadline = procedure.effective_bid_deadline
    if deadline is None or now < deadline or procedure.status in (ProcedureStatus.DRAFT, ProcedureStatus.PUBLISHED):
        raise IllegalTransition(_("No bid can be decrypted before the bid deadline and the opening."))
    opening = Opening.objects.select_for_update().filter(lot_id=lot.pk).first()
    if opening is None:
        raise IllegalTransition(_("The opening of this lot has not started."))
    return opening


def _fail(bid: Bid, cause: str, note: str, *, actor: Any, declared: bool = False) -> None:
    bid.status = BID_MOVES.target(STEP_FAIL_DECRYPT, bid.status)
    bid.failure_cause, bid.failure_note = cause, note[:500]
    bid.save(update_fields=["status", "failure_cause", "failure_note"])
    event_append(action="bidding.bid.decrypt_failed", actor=actor, obj=bid,
                 payload={"cause": cause, **({"declared_by_bidder": True} if declared else {})})


@dataclass(frozen=True)
class PriceSheet:
    total_price: Decimal
    enterprise_size: str
    terms: dict[str, str]
    price_lines: list[dict[str, str]]


def price_sheet_parse(raw: bytes) -> PriceSheet:
    """The structured price sheet (JSON): total_price, enterprise_size, terms {…}, price_lines [...]."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationFailed(_("The price sheet is not valid JSON."), code="invalid_price_sheet") from None
    if not isinstance(data, dict):
        raise ValidationFailed(_("The price sheet must be a JSON object."), code="invalid_price_sheet")
    try:
        total = Decimal(str(data.get("total_price"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("The price sheet has no valid total price."), code="invalid_price_sheet") from None
    if not total.is_finite() or total <= 0 or total >= Decimal("1e14"):
        raise ValidationFailed(_("The total price is out of range."), code="invalid_price_sheet")
    size = data.get("enterprise_size", "")
    if size not in ENTERPRISE_SIZES:
        raise ValidationFailed(_("The enterprise size must be large, medium, small or micro."),
                               code="invalid_price_sheet")
    terms = data.get("terms", {})
    if not isinstance(terms, dict):
        raise ValidationFailed(_("The quoted terms must be an object."), code="invalid_price_sheet")
    lines = data.get("price_lines", [])
    if not isinstance(lines, list) or not all(isinstance(x, dict) for x in lines):
        raise ValidationFailed(_("The price lines must be a list of objects."), code="invalid_price_sheet")
    clean_lines = [{k: str(x.get(k, "")) for k in ("item", "quantity", "unit_price", "amount")} for x in lines]
    return PriceSheet(total, size, {str(k): str(v)[:200] for k, v in terms.items()}, clean_lines)


def _open_parts(sealed: gate.Sealed, dek: bytes) -> tuple[list[tuple[BidPart, str, int, Path]], PriceSheet]:
    """Decrypt every part into temporary files (nothing stored yet); raises _PartFailure with the cause."""
    seal = _seal()
    results: list[tuple[BidPart, str, int, Path]] = []
    sheet: PriceSheet | None = None
    tmpdir = _root() / "tmp"
    tmpdir.mkdir(parents=True, exist_ok=True)
    for part in BidPart.objects.filter(bid_id=sealed.bid_id).order_by("name"):
        src = _abs(part.path)
        if not src.exists():
            raise _PartFailure(FailureCause.PLATFORM, f"stored ciphertext of {part.name} is missing")
        aad = seal.bid_aad(tender=sealed.tender, lot=sealed.lot_number, bidder=sealed.bidder, version=sealed.version,
                           part=part.name, suite=sealed.suite)
        fd, tmp_name = tempfile.mkstemp(dir=tmpdir)
        tmp = Path(tmp_name)
        try:
            with src.open("rb") as fin, os.fdopen(fd, "wb") as fout:
                if part.size < PIPELINE_MIN_BYTES:
                    info = seal.open_stream(dek, fin, fout, aad=aad)
                    plain_sha = info.plaintext_sha256
                else:
                    sink = _HashingSink(fout)
                    try:
                        info = seal.open_stream(dek, fin, sink, aad=aad, plaintext_hash=False)
                    finally:
                        plain_sha = sink.hexdigest()
        except seal.SealError as exc:
            tmp.unlink(missing_ok=True)
            for _p, _s, _n, other in results:
                other.unlink(missing_ok=True)
            # The AEAD authenticates every segment, so a successful opening needs no separate hash pass; a
            # failure is attributed by comparing the stored ciphertext with the receipt (security.md §1.5 E).
            if _sha256_file(src) != part.sha256:
                raise _PartFailure(FailureCause.PLATFORM,
                                   f"stored ciphertext of {part.name} differs from the receipt") from None
            raise _PartFailure(FailureCause.BIDDER, f"{part.name}: {type(exc).__name__}") from None
        results.append((part, plain_sha, info.size, tmp))
        if part.name == sealed.price_part:
            try:
                sheet = price_sheet_parse(tmp.read_bytes())
            except ValidationFailed as exc:
                for _p, _s, _n, other in results:
                    other.unlink(missing_ok=True)
                raise _PartFailure(FailureCause.MALFORMED, str(exc.message)) from None
    assert sheet is not None
    return results, sheet


# Parts at least this large are hashed on a helper thread while the AEAD decrypts and the file is written.
PIPELINE_MIN_BYTES = 2 << 20


class _HashingSink:
    """A write-only file wrapper that hands every written (immutable) segment to a helper thread computing
    the plaintext SHA-256. hashlib releases the GIL on large buffers, and so do the AEAD calls of
    ``cryptography`` (measured: 1.7× on two threads), so the hash — SHA-256 runs ~5× slower than AES-GCM
    here and dominates the opening — overlaps the decryption and the writes on the second core. At most
    ``depth`` segments wait in memory."""

    def __init__(self, fout: Any, depth: int = 4) -> None:
        self._out = fout
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._digest = hashlib.sha256()
        self._done = ""
        self._thread = threading.Thread(target=self._run, name="bid-plaintext-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (block := self._queue.get()) is not None:
            self._digest.update(block)

    def write(self, data: bytes) -> int:
        self._queue.put(bytes(data))  # the AEAD returns bytes: no copy (a mutable buffer would be copied)
        return int(self._out.write(data))

    def flush(self) -> None:
        self._out.flush()

    def hexdigest(self) -> str:
        """Wait for the helper and return the digest (also ends the helper after a failure)."""
        if not self._done:
            self._queue.put(None)
            self._thread.join()
            self._done = self._digest.hexdigest()
        return self._done


class _PartFailure(Exception):
    def __init__(self, cause: str, note: str) -> None:
        super().__init__(note)
        self.cause, self.note = cause, note


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


_PART_OPENED_SQL = "UPDATE {table} SET plaintext_sha256 = %s, plaintext_size = %s, plaintext_path = %s WHERE id = %s"


def _store_opened(bid: Bid, results: list[tuple[BidPart, str, int, Path]], sheet: PriceSheet, by: str,
                  actor: Any, step: str, now: Any = None) -> None:
    rows = []
    for part, plain_sha, size, tmp in results:
        relative = f"bids/plain/{plain_sha[:2]}/{plain_sha}"
        target = _abs(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        part.plaintext_sha256, part.plaintext_size, part.plaintext_path = plain_sha, size, relative
        rows.append((plain_sha, size, relative, part.pk))
    # One round trip for every part of the bid (psycopg pipelines executemany). bulk_update's CASE … WHEN
    # compilation cost more than the statement itself (docs/performance-bidding.md).
    with connection.cursor() as cursor:
        cursor.executemany(_PART_OPENED_SQL.format(table=connection.ops.quote_name(BidPart._meta.db_table)), rows)
    bid.status = BID_MOVES.target(step, bid.status)
    bid.decrypted_by, bid.decrypted_at = by, now or db_now()
    bid.total_price, bid.enterprise_size = sheet.total_price, sheet.enterprise_size
    bid.terms, bid.price_lines = sheet.terms, sheet.price_lines
    bid.failure_cause = bid.failure_cause if by == "remedy" else ""
    bid.save(update_fields=["status", "decrypted_by", "decrypted_at", "total_price", "enterprise_size", "terms",
                            "price_lines", "failure_cause"])
    event_append(action="bidding.bid.opened", actor=actor, obj=bid, payload={
        "by": by, "parts": [{"name": p.name, "ciphertext_sha256": p.sha256, "plaintext_sha256": s}
                            for p, s, _n, _t in results]})


def bid_decrypt(*, actor: Any, bid: Bid, content_key_b64: str) -> Bid:
    """The bidder hands over its content key (unwrapped on its side) within the decryption window. The
    server decrypts every part (AEAD tags checked; the stored hash is compared only to attribute a failure),
    logs each plaintext hash and only then stores the plaintext. A wrong key is recorded and may be retried
    within the window.

    The gate (deadline passed, opening started, window open) is checked before anything is decrypted. The
    decryption itself runs outside any transaction or lock, into temporary files, so the bidders' openings
    proceed in parallel; a short transaction then locks the opening and the bid, checks the gate and the
    bid's status again, and records the result (or discards the temporary plaintext)."""
    if _supplier_org_id(actor) != bid.organisation_id:
        raise PermissionDenied(_("Only the bidder can hand over its key."))
    dek = _b64(content_key_b64, "content_key")
    found = gate.decrypt_context(bid.pk)
    if found is None:
        raise NotFound(_("No such bid."))
    sealed, before = found
    _gate_check(before)
    BID_MOVES.target(STEP_OPEN, sealed.status)
    results: list[tuple[BidPart, str, int, Path]] = []
    sheet: PriceSheet | None = None
    failure: _PartFailure | None = None
    try:
        results, sheet = _open_parts(sealed, dek)
    except _PartFailure as exc:
        failure = exc
    try:
        with transaction.atomic():
            now, locked = _gate_check_locked(sealed.lot_id, bid.pk)
            BID_MOVES.target(STEP_OPEN, locked.status)
            if failure is not None:
                _fail(locked, failure.cause, failure.note, actor=actor)
                if failure.cause == FailureCause.PLATFORM:
                    _deem_withdrawn(locked, actor)
            else:
                assert sheet is not None
                _store_opened(locked, results, sheet, "bidder", actor, STEP_OPEN, now=now)
            transaction.on_commit(lambda: _broadcast(locked.lot_id))
    except BaseException:
        for _p, _s, _n, tmp in results:
            tmp.unlink(missing_ok=True)
        raise
    return locked


def bid_decrypt_declare_failure(*, actor: Any, bid: Bid, reason: str) -> Bid:
    """The bidder states, within the decryption window, that it cannot decrypt its bid (key file lost,
    passphrase forgotten, device broken) and why. The bid is recorded as failed on the bidder's side at
    once, so the remedy path can open it without waiting for the window to end; the stated reason is kept
    with the failure. The bidder may still hand over its key later in the window (a retry, as after a
    wrong key)."""
    if _supplier_org_id(actor) != bid.organisation_id:
        raise PermissionDenied(_("Only the bidder can declare that it cannot decrypt its bid."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 200:
        raise ValidationFailed(_("Say briefly why you cannot decrypt (at most 200 characters)."),
                               code="invalid_reason", field="reason")
    with transaction.atomic():
        _now, locked = _gate_check_locked(bid.lot_id, bid.pk)
        if locked.status != BidStatus.SUBMITTED:
            raise IllegalTransition(_("This bid is no longer waiting to be decrypted."))
        _fail(locked, FailureCause.BIDDER, f"declared by the bidder: {reason}", actor=actor, declared=True)
        transaction.on_commit(lambda: _broadcast(locked.lot_id))
    return locked


def _gate_check(found: gate.Gate | None) -> datetime:
    """Deadline passed, opening started and open, decryption window not over; returns the database clock
    read with the gate."""
    if found is None or found.opening_status is None or found.deadline is None or found.now < found.deadline \
            or found.procedure_status in (ProcedureStatus.DRAFT, ProcedureStatus.PUBLISHED):
        raise IllegalTransition(_("No bid can be decrypted before the bid deadline and the opening."))
    if found.opening_status != OpeningStatus.OPEN or found.window_ends_at is None or \
            found.now >= found.window_ends_at:
        raise IllegalTransition(_("The decryption window has closed."))
    return found.now


def _gate_check_locked(lot_id: int, bid_id: int) -> tuple[datetime, Bid]:
    """The gate checked with the opening and the bid locked (inside the recording transaction); returns the
    database clock and the locked bid."""
    held = gate.gate_locked(lot_id, bid_id)
    now = _gate_check(held[0] if held else None)  # refuses when the opening has not started
    assert held is not None
    return now, held[1]


def _deem_withdrawn(bid: Bid, actor: Any) -> None:
    """Art. 31: a failure not caused by the bidder ⇒ deemed withdrawn (the bidder may claim its losses)."""
    bid.status = BID_MOVES.target(STEP_DEEM_WITHDRAWN, bid.status)
    bid.save(update_fields=["status"])
    event_append(action="bidding.bid.deemed_withdrawn", actor=actor, obj=bid, payload={"cause": bid.failure_cause})


def share_present(*, actor: Any, holder: KeyHolder, share_text: str, passphrase: str | None = None) -> KeyHolder:
    """A holder presents its share at the remedy ceremony — only after the deadline and the opening."""
    with transaction.atomic():
        locked = KeyHolder.objects.select_for_update(of=("self",)).select_related(
            "opening_key__procedure").get(pk=holder.pk)
        if locked.user_id != getattr(actor, "pk", None):
            raise PermissionDenied(_("Only the named holder may present this share."))
        procedure = locked.opening_key.procedure
        lot = procedure.lots.order_by("number").first()
        if lot is None:
            raise NotFound(_("No such lot."))
        _require_any_opening(procedure, db_now())
        seal = _seal()
        try:
            share = seal.share_import((share_text or "").strip(), passphrase=passphrase, tender=procedure.code)
        except seal.SealError:
            raise ValidationFailed(_("This is not a share of this procedure's opening key (or the passphrase is "
                                     "wrong)."), code="invalid_share", field="share") from None
        if share.index != locked.index:
            raise ValidationFailed(_("This share is not yours (wrong index)."), code="wrong_share", field="share")
        locked.presented_share = seal.share_export(share, tender=procedure.code, passphrase=None)
        locked.presented_at, locked.share_rejected = db_now(), False
        locked.save(update_fields=["presented_share", "presented_at", "share_rejected"])
        event_append(action="bidding.share.presented", actor=actor, obj=procedure,
                     payload={"index": locked.index, "organisation": locked.organisation_id})
        # The halls show how many shares are in (the remedy path needs k).
        for lot_id in Opening.objects.filter(lot__procedure=procedure).values_list("lot_id", flat=True):
            transaction.on_commit(functools.partial(_broadcast, lot_id))
    return locked


def _require_any_opening(procedure: Procedure, now: Any) -> None:
    deadline = procedure.effective_bid_deadline
    if deadline is None or now < deadline or not Opening.objects.filter(lot__procedure=procedure).exists():
        raise IllegalTransition(_("Shares can be presented only at an opening, after the bid deadline."))


def opening_remedy(*, actor: Any, opening: Opening) -> list[Bid]:
    """The remedy path (补救方案): with k presented shares, recover the opening key in memory, unwrap the
    content keys of the failed bids only, open them; whether they count follows the procedure's rule. A
    share that does not match its commitment is excluded and logged. The presented shares are erased."""
    lot = opening.lot
    if not access.opening_manageable(actor, lot.procedure):
        raise PermissionDenied(_("Only the buyer side or the centre may run the remedy path."))
    seal = _seal()
    opened: list[Bid] = []
    with transaction.atomic():
        now = db_now()
        locked_opening = _require_opened(lot, now)
        if locked_opening.status != OpeningStatus.OPEN:
            raise IllegalTransition(_("The opening record is already closed."))
        procedure = lot.procedure
        key = OpeningKey.objects.select_for_update().get(procedure=procedure)
        holders = list(KeyHolder.objects.select_for_update().filter(opening_key=key).exclude(presented_share=""))
        failed = list(Bid.objects.select_for_update(of=("self",)).select_related("lot__procedure", "organisation")
                      .filter(lot=lot, status=BidStatus.DECRYPT_FAILED, failure_cause=FailureCause.BIDDER))
        if not failed:
            raise IllegalTransition(_("No bid awaits the remedy path."))
        if len(holders) < key.k:
            raise ValidationFailed(_("%(k)s shares are needed; %(n)s have been presented.") % {
                "k": key.k, "n": len(holders)}, code="too_few_shares")
        shares = {h.index: seal.share_import(h.presented_share, passphrase=None) for h in holders}
        private = None
        while private is None:
            try:
                private = seal.opening_key_recover(tender=procedure.code, suite=key.suite,
                                                   encrypted_private=bytes(key.encrypted_private),
                                                   shares=list(shares.values()), commitments=key.commitments)
            except seal.BadShare as bad:
                shares.pop(bad.index, None)
                bad_holder = next(h for h in holders if h.index == bad.index)
                bad_holder.presented_share, bad_holder.share_rejected = "", True
                bad_holder.save(update_fields=["presented_share", "share_rejected"])
                event_append(action="bidding.share.rejected", actor="platform", obj=procedure,
                             payload={"index": bad.index})
                if len(shares) < key.k:
                    break
        used = sorted(shares)
        for h in holders:  # erase every presented share: the key exists in this process's memory only
            if h.presented_share:
                h.presented_share = ""
                h.save(update_fields=["presented_share"])
        if private is None:
            event_append(action="bidding.remedy.postponed", actor=actor, obj=locked_opening,
                         payload={"valid_shares": used})
            transaction.on_commit(lambda: _broadcast(lot.pk))
            return []
        event_append(action="bidding.remedy.key_recovered", actor=actor, obj=locked_opening,
                     payload={"shares": used, "bids": [b.token for b in failed]})
        rule = _failure_rule(procedure)
        for bid in failed:
            aad = bid_aad(procedure, lot, bid.organisation.credit_code, bid.version, KEY_PART, bid.suite)
            try:
                dek = seal.unwrap_key(bid.wrapped_opening, private, aad=aad)
                results, sheet = _open_parts(gate.Sealed.of(bid), dek)
            except (seal.SealError, _PartFailure, ValueError, KeyError) as exc:
                cause = exc.cause if isinstance(exc, _PartFailure) else FailureCause.MALFORMED
                bid.failure_cause, bid.failure_note = cause, f"remedy: {exc}"[:500]
                bid.save(update_fields=["failure_cause", "failure_note"])
                if cause == FailureCause.PLATFORM:
                    _deem_withdrawn(bid, actor)
                else:
                    _revoke(bid, actor)
                continue
            _store_opened(bid, results, sheet, "remedy", actor, STEP_REMEDY)
            if rule == "revoke":
                _revoke(bid, actor)
            else:
                opened.append(bid)
        del private
        transaction.on_commit(lambda: _broadcast(lot.pk))
    return opened


def _revoke(bid: Bid, actor: Any) -> None:
    bid.status = BID_MOVES.target(STEP_REVOKE, bid.status)
    bid.save(update_fields=["status"])
    event_append(action="bidding.bid.revoked", actor=actor, obj=bid, payload={"cause": bid.failure_cause})


def opening_respond(*, actor: Any, opening: Opening, confirmed: bool, objection: str = "") -> OpeningResponse:
    """A bidder confirms the record, or raises an objection on the spot (异议, answered in the record)."""
    org = _supplier_org(actor)
    objection = (objection or "").strip()
    if not confirmed and not objection:
        raise ValidationFailed(_("State your objection."), code="required", field="objection")
    with transaction.atomic():
        locked = Opening.objects.select_for_update().get(pk=opening.pk)
        if locked.status != OpeningStatus.OPEN:
            raise IllegalTransition(_("The opening record is already closed."))
        if not Bid.objects.filter(lot_id=locked.lot_id, organisation=org).exclude(
                status__in=[BidStatus.DRAFT, BidStatus.REPLACED]).exists():
            raise PermissionDenied(_("Only a bidder of this lot may confirm its record."))
        response, _created = OpeningResponse.objects.update_or_create(
            opening=locked, organisation=org, defaults={"user": actor, "confirmed": confirmed,
                                                        "objection": objection[:2000], "answered_at": db_now()})
        event_append(action="bidding.opening.responded", actor=actor, obj=locked,
                     payload={"confirmed": confirmed, "organisation": org.pk})
        transaction.on_commit(lambda: _broadcast(locked.lot_id))
    return response


def opening_conclude(*, actor: Any, opening: Opening) -> Opening:
    """Close the record: every bid decided (remaining failures revoked or, by the rule, left revoked), the
    record saved as a PDF whose hash goes into the log. Then the lot goes to evaluation."""
    from .record import record_pdf

    lot = opening.lot
    if not access.opening_manageable(actor, lot.procedure):
        raise PermissionDenied(_("Only the buyer side or the centre may close the opening record."))
    with transaction.atomic():
        now = db_now()
        locked = _require_opened(lot, now)
        if locked.status != OpeningStatus.OPEN:
            raise IllegalTransition(_("The opening record is already closed."))
        pending = Bid.objects.filter(lot=lot, status=BidStatus.SUBMITTED)
        if pending.exists() and now < locked.window_ends_at:
            raise IllegalTransition(_("Bidders are still within the decryption window."))
        for bid in Bid.objects.select_for_update().filter(lot=lot, status__in=[BidStatus.SUBMITTED,
                                                                                BidStatus.DECRYPT_FAILED]):
            if bid.status == BidStatus.SUBMITTED:
                _fail(bid, FailureCause.BIDDER, "not decrypted", actor=actor)
            _revoke(bid, actor)
        pdf = record_pdf(locked)
        sha = hashlib.sha256(pdf).hexdigest()
        relative = f"bids/records/{sha[:2]}/{sha}.pdf"
        target = _abs(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pdf)
        locked.status, locked.concluded_at = OpeningStatus.CONCLUDED, now
        locked.record_path, locked.record_sha256 = relative, sha
        locked.bid_count = Bid.objects.filter(lot=lot, status=BidStatus.OPENED).count()
        locked.save()
        event_append(action="bidding.opening.concluded", actor=actor, obj=locked,
                     payload={"record_sha256": sha, "opened": locked.bid_count})
        transaction.on_commit(lambda: _broadcast(lot.pk))
    return locked
