"""Sealed bids end to end through the services and the real cryptography: keys, the opening-key ceremony,
chunked uploads, submit with receipts, the deadline by the database clock, the opening by the bidders'
keys and by the remedy path, the record and its PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from yangguang import seal
from yangguang.core.dbclock import db_now
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.models import Event
from yangguang.tendering.models import Procedure

from .. import services
from ..models import Bid, KeyHolder, Opening, OpeningKey, Upload
from ..selectors import opened_bids, opening_concluded
from .sealing import CANARY, content_key, pass_deadline, price_sheet, seal_bid, set_deadline, submit, upload_all

pytestmark = pytest.mark.django_db


def _shares(procedure):
    return procedure.downloaded_shares


def test_publishing_creates_the_opening_key_and_each_share_downloads_once(items):
    from yangguang.tendering.tests.factories import procedure_published

    procedure = procedure_published()
    key = OpeningKey.objects.get(procedure=procedure)
    assert (key.k, key.n) == (2, 3) and len(key.commitments) == 3
    holders = list(KeyHolder.objects.filter(opening_key=key))
    assert len({h.organisation_id for h in holders}) == 3
    event = Event.objects.get(action="bidding.opening_key.created", object_id=str(procedure.pk))
    assert event.payload["commitments"] == key.commitments and "share" not in event.payload
    text = services.share_download(actor=holders[0].user, holder=holders[0])
    assert seal.share_import(text).index == holders[0].index
    holders[0].refresh_from_db()
    assert holders[0].pending_share == ""
    with pytest.raises(IllegalTransition):
        services.share_download(actor=holders[0].user, holder=holders[0])
    with pytest.raises(PermissionDenied):
        services.share_download(actor=holders[0].user, holder=holders[1])


def test_no_bid_is_accepted_while_the_platform_still_holds_a_share(items):
    from yangguang.tendering import services as tendering
    from yangguang.tendering.tests.factories import procedure_published, supplier_make

    from .sealing import keys_for

    procedure = procedure_published()
    lot = procedure.lots.get()
    user = supplier_make()
    tendering.registration_create(actor=user, lot=lot)
    keys = keys_for(user)
    holders = list(KeyHolder.objects.filter(opening_key__procedure=procedure))
    for holder in holders[:-1]:
        services.share_download(actor=holder.user, holder=holder)
    sealed = seal_bid(user, keys, lot)
    upload_all(user, lot, sealed)
    with pytest.raises(IllegalTransition):
        services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature)
    services.share_download(actor=holders[-1].user, holder=holders[-1])
    assert services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature)


def test_submit_gives_a_verifiable_receipt_that_names_no_bidder(tender):
    _procedure, lot, bidders = tender
    user, keys = bidders[0]
    bid, _sealed = submit(user, keys, lot)
    assert bid.status == "submitted"
    receipt = services.bid_receipt(bid)
    assert services.receipt_verify(receipt)
    assert [p["sha256"] for p in receipt["parts"]] == list(bid.parts.values_list("sha256", flat=True))
    assert bid.event_seq is not None
    event = Event.objects.get(seq=bid.event_seq)
    text = str(event.payload) + event.object_id + event.actor
    assert user.organisation.credit_code not in text and user.organisation.name not in text
    assert str(lot.pk) not in event.payload.get("lot", "") and "lot" not in event.payload
    tampered = {**receipt, "version": 9}
    assert not services.receipt_verify(tampered)


def test_bad_signature_foreign_manifest_and_missing_upload_are_refused(tender):
    _procedure, lot, bidders = tender
    user, keys = bidders[0]
    other_user, other_keys = bidders[1]
    sealed = seal_bid(user, keys, lot)
    with pytest.raises(ValidationFailed) as missing:
        services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature)
    assert missing.value.code == "part_missing"
    upload_all(user, lot, sealed)
    forged = seal.sign_message(seal.canonical_json(sealed.manifest), other_keys.sign_private)
    with pytest.raises(ValidationFailed) as bad:
        services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=forged)
    assert bad.value.code == "bad_signature"
    with pytest.raises(ValidationFailed) as foreign:
        services.bid_submit(actor=other_user, lot=lot, manifest=sealed.manifest, signature=sealed.signature)
    assert foreign.value.code == "manifest_mismatch"
    assert not Bid.objects.exists()


def test_idempotent_submit_and_chunks(tender):
    _procedure, lot, bidders = tender
    user, keys = bidders[0]
    sealed = seal_bid(user, keys, lot)
    data = sealed.envelopes["technical.pdf"]
    upload = services.upload_start(actor=user, lot=lot, name="technical.pdf", size=len(data),
                                   sha256=hashlib.sha256(data).hexdigest(), chunk_size=64 * 1024)
    first = data[:64 * 1024]
    services.upload_chunk(actor=user, upload=upload, index=0, data=first, sha256=hashlib.sha256(first).hexdigest())
    services.upload_chunk(actor=user, upload=upload, index=0, data=first, sha256=hashlib.sha256(first).hexdigest())
    assert upload.chunks.count() == 1
    wrong = b"x" * len(first)
    with pytest.raises(ValidationFailed) as conflict:
        services.upload_chunk(actor=user, upload=upload, index=0, data=wrong, sha256=hashlib.sha256(wrong).hexdigest())
    assert conflict.value.code == "chunk_conflict"
    with pytest.raises(ValidationFailed) as damaged:
        services.upload_chunk(actor=user, upload=upload, index=0, data=first, sha256="0" * 64)
    assert damaged.value.code == "chunk_hash_mismatch"
    # The server "died" after chunk 0: the bidder asks what is missing and resumes.
    upload = Upload.objects.get(pk=upload.pk)
    for i in services.upload_missing(upload):
        chunk = data[i * 64 * 1024:(i + 1) * 64 * 1024]
        services.upload_chunk(actor=user, upload=upload, index=i, data=chunk, sha256=hashlib.sha256(chunk).hexdigest())
    upload.refresh_from_db()
    assert upload.status == "complete" and services.upload_missing(upload) == []
    upload_all(user, lot, type(sealed)(sealed.manifest, sealed.signature, sealed.dek,
                                       {"price.json": sealed.envelopes["price.json"]}))
    a = services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature,
                            idempotency_key="k-1")
    b = services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature,
                            idempotency_key="k-1")
    assert a.pk == b.pk and Bid.objects.count() == 1
    assert Event.objects.filter(action="bidding.bid.submitted").count() == 1


def _chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i:i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("order", ["in_order", "reversed", "restart_lost_state"])
def test_upload_hashes_in_order_chunks_as_they_come_and_falls_back_otherwise(tender, monkeypatch, order):
    """In-order chunks: the whole-file hash is the running one (the file is not re-read at completion).
    Out of order, or after the process lost its running state: the file is re-read. Either way the stored
    file is the announced one."""
    import os

    _procedure, lot, bidders = tender
    user = bidders[0][0]
    data = os.urandom(5 * 64 * 1024 + 17)
    upload = services.upload_start(actor=user, lot=lot, name="part.bin", size=len(data),
                                   sha256=hashlib.sha256(data).hexdigest(), chunk_size=64 * 1024)
    seen = []
    real = services._upload_finish

    def spy(u, path, running=None):
        seen.append(running is not None)
        return real(u, path, running)

    monkeypatch.setattr(services, "_upload_finish", spy)
    pieces = list(enumerate(_chunks(data, 64 * 1024)))
    if order == "reversed":
        pieces.reverse()
    for n, (i, chunk) in enumerate(pieces):
        if order == "restart_lost_state" and n == 3:
            services._RUNNING.clear()
        services.upload_chunk(actor=user, upload=upload, index=i, data=chunk,
                              sha256=hashlib.sha256(chunk).hexdigest())
    upload.refresh_from_db()
    assert upload.status == "complete" and seen == [order == "in_order"]
    assert services._abs(upload.path).read_bytes() == data
    assert upload.pk not in services._RUNNING


def test_a_wrong_announced_hash_discards_the_upload(tender):
    _procedure, lot, bidders = tender
    user = bidders[0][0]
    data = b"a" * (2 * 64 * 1024)
    upload = services.upload_start(actor=user, lot=lot, name="part.bin", size=len(data), sha256="1" * 64,
                                   chunk_size=64 * 1024)
    first, second = _chunks(data, 64 * 1024)
    services.upload_chunk(actor=user, upload=upload, index=0, data=first, sha256=hashlib.sha256(first).hexdigest())
    with pytest.raises(ValidationFailed) as wrong:
        services.upload_chunk(actor=user, upload=upload, index=1, data=second,
                              sha256=hashlib.sha256(second).hexdigest())
    assert wrong.value.code == "hash_mismatch"
    upload.refresh_from_db()
    assert upload.status == "receiving" and services.upload_missing(upload) == [0, 1]


def test_deadline_by_the_database_clock(tender):
    procedure, lot, bidders = tender
    user, keys = bidders[0]
    sealed = seal_bid(user, keys, lot)
    upload_all(user, lot, sealed)
    set_deadline(procedure, 0.5)  # just before: accepted
    bid = services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature)
    assert bid.status == "submitted"
    user2, keys2 = bidders[1]
    sealed2 = seal_bid(user2, keys2, lot)
    upload_all(user2, lot, sealed2)
    set_deadline(procedure, 0)  # at the deadline: refused
    with pytest.raises(IllegalTransition):
        services.bid_submit(actor=user2, lot=lot, manifest=sealed2.manifest, signature=sealed2.signature)
    with pytest.raises(IllegalTransition):
        services.bid_withdraw(actor=user, bid=bid)


def test_deadline_to_the_millisecond(tender, monkeypatch):
    """1 ms before the deadline is accepted, at the deadline refused. The instant is the database clock's
    reading at the submit (held fixed here, so the test does not race the real clock); nothing the client
    sends carries a time."""
    procedure, lot, bidders = tender
    ready = []
    for user, keys in bidders[:2]:
        sealed = seal_bid(user, keys, lot)
        upload_all(user, lot, sealed)
        ready.append((user, sealed))
    instant = db_now()
    monkeypatch.setattr(services, "db_now", lambda: instant)
    for (user, sealed), deadline, accepted in ((ready[0], instant + dt.timedelta(milliseconds=1), True),
                                               (ready[1], instant, False)):
        Procedure.objects.filter(pk=procedure.pk).update(effective_bid_deadline=deadline)
        if accepted:
            bid = services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature)
            assert bid.status == "submitted"
        else:
            with pytest.raises(IllegalTransition):
                services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature)


def test_withdraw_and_replace_keep_every_version(tender):
    _procedure, lot, bidders = tender
    user, keys = bidders[0]
    first, _s = submit(user, keys, lot)
    second, _s = submit(user, keys, lot, version=2, parts={"price.json": price_sheet("4400000.00")})
    first.refresh_from_db()
    assert (first.status, second.status) == ("replaced", "submitted")
    services.bid_withdraw(actor=user, bid=second)
    second.refresh_from_db()
    assert second.status == "withdrawn" and Bid.objects.filter(organisation=user.organisation).count() == 2


def test_no_decryption_before_the_deadline_whoever_asks(tender):
    procedure, lot, bidders = tender
    user, keys = bidders[0]
    bid, _sealed = submit(user, keys, lot)
    with pytest.raises(IllegalTransition):
        services.bid_decrypt(actor=user, bid=bid, content_key_b64=content_key(keys, bid))
    for holder in KeyHolder.objects.filter(opening_key__procedure=procedure):
        with pytest.raises(IllegalTransition):
            services.share_present(actor=holder.user, holder=holder,
                                   share_text=procedure.downloaded_shares[holder.index])
    bid.refresh_from_db()
    assert bid.status == "submitted" and not bid.parts.exclude(plaintext_sha256="").exists()


def test_attacker_with_the_database_files_and_k_minus_one_shares_cannot_decrypt(tender, settings):
    """Everything the platform stores, plus one share (k = 2), and still no content key."""
    procedure, lot, bidders = tender
    user, keys = bidders[0]
    _bid, _sealed = submit(user, keys, lot)
    shares = _shares(procedure)
    key = procedure.opening_key
    one = [seal.share_import(next(iter(shares.values())))]
    with pytest.raises(seal.SealError):
        seal.opening_key_recover(tender=procedure.code, suite=key.suite, encrypted_private=bytes(key.encrypted_private),
                                 shares=one, commitments=key.commitments)
    # No table and no stored file holds the plaintext marker.
    for path in (settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_bytes()
    assert not KeyHolder.objects.exclude(pending_share="").exists()


def _open_two_fail_one(tender, rule="remedy"):
    procedure, lot, bidders = tender
    if rule != "remedy":
        procedure.extra = {**procedure.extra, "decrypt_failure_rule": rule}
        procedure.save(update_fields=["extra"])
    shares = _shares(procedure)
    bids = [submit(u, k, lot, parts={"price.json": price_sheet(str(4000000 + i * 100000) + ".00"),
                                     "technical.pdf": b"%PDF " + CANARY})[0] for i, (u, k) in enumerate(bidders)]
    procedure = pass_deadline(procedure)
    assert procedure.status == "ready_for_opening"
    opening = Opening.objects.get(lot=lot)
    assert opening.bid_count == 3 and opening.closing_size
    for (user, keys), bid in list(zip(bidders, bids, strict=True))[:2]:
        services.bid_decrypt(actor=user, bid=bid, content_key_b64=content_key(keys, bid))
    # The third hands over a wrong key: recorded, bidder side.
    user3 = bidders[2][0]
    services.bid_decrypt(actor=user3, bid=bids[2], content_key_b64=content_key(bidders[0][1], bids[0]))
    bids[2].refresh_from_db()
    assert bids[2].status == "decrypt_failed" and bids[2].failure_cause == "bidder"
    return procedure, lot, bids, shares, opening


def test_two_decrypt_the_third_by_remedy_then_the_record_is_closed(tender):
    procedure, lot, bids, shares, opening = _open_two_fail_one(tender)
    from yangguang.accounts.models import User

    agency = User.objects.get(username="agency")
    with pytest.raises(ValidationFailed):
        services.opening_remedy(actor=agency, opening=opening)  # no shares yet
    holders = list(KeyHolder.objects.filter(opening_key__procedure=procedure).order_by("index"))[:2]
    for holder in holders:
        services.share_present(actor=holder.user, holder=holder, share_text=shares[holder.index])
    opened = services.opening_remedy(actor=agency, opening=opening)
    assert [b.pk for b in opened] == [bids[2].pk]
    assert not KeyHolder.objects.exclude(presented_share="").exists()
    event = Event.objects.get(action="bidding.remedy.key_recovered")
    assert event.payload["shares"] == [h.index for h in holders]
    for bid in bids:
        bid.refresh_from_db()
        assert bid.status == "opened"
        part = bid.parts.get(name="technical.pdf")
        assert part.plaintext_sha256 == hashlib.sha256(b"%PDF " + CANARY).hexdigest()
    assert Event.objects.filter(action="bidding.bid.opened").count() == 3
    assert not opening_concluded(lot)
    services.opening_respond(actor=bids[0].submitted_by, opening=opening, confirmed=True)
    services.opening_respond(actor=bids[1].submitted_by, opening=opening, confirmed=False, objection="报价读错")
    done = services.opening_conclude(actor=agency, opening=opening)
    assert done.status == "concluded" and done.record_sha256
    assert Event.objects.get(action="bidding.opening.concluded").payload["record_sha256"] == done.record_sha256
    assert opening_concluded(lot)
    result = opened_bids(lot)
    assert sorted(r.total_price for r in result) == [Decimal("4000000.00"), Decimal("4100000.00"),
                                                     Decimal("4200000.00")]
    assert {r.decrypted_by for r in result} == {"bidder", "remedy"}
    assert result[0].terms["duration_days"] == "180" and result[0].enterprise_size == "small"


def test_revoke_rule_and_a_wrong_share_is_excluded(tender):
    procedure, _lot, bids, shares, opening = _open_two_fail_one(tender, rule="revoke")
    from yangguang.accounts.models import User

    holders = list(KeyHolder.objects.filter(opening_key__procedure=procedure).order_by("index"))
    for holder in holders:
        services.share_present(actor=holder.user, holder=holder, share_text=shares[holder.index])
    # A corrupted share (its holder's stored text swapped for a forged value of the same index).
    bad = seal.share_import(shares[holders[0].index])
    forged = seal.Share(index=bad.index, value=bytes(16))
    KeyHolder.objects.filter(pk=holders[0].pk).update(
        presented_share=seal.share_export(forged, tender=procedure.code))
    services.opening_remedy(actor=User.objects.get(username="agency"), opening=opening)
    assert Event.objects.filter(action="bidding.share.rejected").get().payload == {"index": holders[0].index}
    bids[2].refresh_from_db()
    assert bids[2].status == "revoked" and bids[2].decrypted_by == "remedy"


def test_a_flipped_bit_in_stored_ciphertext_is_a_platform_fault(tender, settings):
    procedure, lot, bidders = tender
    bids = [submit(u, k, lot)[0] for u, k in bidders]
    pass_deadline(procedure)
    part = bids[0].parts.get(name="technical.pdf")
    path = settings.MEDIA_ROOT / part.path
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 1
    path.write_bytes(bytes(raw))
    user, keys = bidders[0]
    services.bid_decrypt(actor=user, bid=bids[0], content_key_b64=content_key(keys, bids[0]))
    bids[0].refresh_from_db()
    assert bids[0].status == "withdrawn" and bids[0].failure_cause == "platform"


def test_too_few_bids_fail_the_procedure(tender):
    procedure, lot, bidders = tender
    submit(bidders[0][0], bidders[0][1], lot)
    procedure = pass_deadline(procedure)
    assert procedure.status == "failed"
    lot.refresh_from_db()
    assert lot.status == "failed" and not Opening.objects.exists()
    assert Event.objects.get(action="bidding.bids.closed").payload["lots"]["1"] == {"status": "failed", "bids": 1}


def test_zero_bids_are_failed_by_the_worker_at_the_deadline(tender):
    """Registered bidders but no sealed bid: the worker's steps alone (tendering's close, then bidding's
    count) fail the lot and the procedure; nobody has to start the opening by hand."""
    import datetime as dt

    from yangguang.core.chronograph import chronograph_run

    procedure, lot, _bidders = tender
    key = OpeningKey.objects.get(procedure=procedure)
    assert key.next_check_at == procedure.effective_bid_deadline
    # Before the deadline the step only looks again at the deadline.
    chronograph_run(now=procedure.effective_bid_deadline - dt.timedelta(seconds=1))
    procedure.refresh_from_db()
    assert procedure.status == "published"
    procedure = pass_deadline(procedure)
    assert procedure.status == "failed" and "3" in procedure.failure_ground
    lot.refresh_from_db()
    assert lot.status == "failed" and not Opening.objects.exists()
    assert Event.objects.get(action="bidding.bids.closed").payload["lots"]["1"] == {"status": "failed", "bids": 0}
    key.refresh_from_db()
    assert key.next_check_at is None
    # Nothing left to start by hand.
    from yangguang.accounts.models import User

    with pytest.raises(IllegalTransition):
        services.opening_begin(actor=User.objects.get(username="agency"), procedure=procedure)


def test_a_postponed_deadline_is_followed_by_the_opening_step(tender):
    import datetime as dt

    from yangguang.core.chronograph import chronograph_run
    from yangguang.tendering.models import Procedure

    procedure, _lot, _bidders = tender
    old = procedure.effective_bid_deadline
    later = old + dt.timedelta(days=3)
    Procedure.objects.filter(pk=procedure.pk).update(effective_bid_deadline=later, next_check_at=later)
    chronograph_run(now=old + dt.timedelta(seconds=1))
    procedure.refresh_from_db()
    assert procedure.status == "published"
    assert OpeningKey.objects.get(procedure=procedure).next_check_at == later
    chronograph_run(now=later + dt.timedelta(seconds=1))
    procedure.refresh_from_db()
    assert procedure.status == "failed"


def test_manual_opening_when_the_worker_did_not_run(tender):
    """The buyer side's button (POST …/procedures/{id}/open) for a procedure whose deadline step has not
    run for bidding (e.g. no opening key's step scheduled): too few bids fail it here too."""
    from yangguang.accounts.models import User
    from yangguang.core.chronograph import chronograph_run

    procedure, lot, bidders = tender
    for user, keys in bidders:
        submit(user, keys, lot)
    OpeningKey.objects.filter(procedure=procedure).delete()  # as for a procedure published without one
    procedure = pass_deadline(procedure)
    chronograph_run()
    assert procedure.status == "ready_for_opening"
    with pytest.raises(PermissionDenied):
        services.opening_begin(actor=bidders[0][0], procedure=procedure)
    openings = services.opening_begin(actor=User.objects.get(username="agency"), procedure=procedure)
    assert [o.bid_count for o in openings] == [3]
    with pytest.raises(IllegalTransition):
        services.opening_begin(actor=User.objects.get(username="agency"), procedure=procedure)


def test_a_large_part_is_hashed_alongside_its_decryption_and_nothing_is_left_in_tmp(tender, settings):
    """Parts of at least PIPELINE_MIN_BYTES are hashed on a helper thread while they are decrypted: the
    logged plaintext hash is the plaintext's, and no temporary plaintext remains."""
    import os

    procedure, lot, bidders = tender
    user, keys = bidders[0]
    body = os.urandom(services.PIPELINE_MIN_BYTES + 12345)
    bid, _sealed = submit(user, keys, lot, parts={"price.json": price_sheet("4100000.00"), "technical.bin": body})
    for other_user, other_keys in bidders[1:]:
        submit(other_user, other_keys, lot)
    pass_deadline(procedure)
    services.bid_decrypt(actor=user, bid=bid, content_key_b64=content_key(keys, bid))
    bid.refresh_from_db()
    part = bid.parts.get(name="technical.bin")
    assert bid.status == "opened" and part.plaintext_sha256 == hashlib.sha256(body).hexdigest()
    assert (settings.MEDIA_ROOT / part.plaintext_path).read_bytes() == body
    event = Event.objects.get(action="bidding.bid.opened", object_id=str(bid.pk))
    assert {p["name"]: p["plaintext_sha256"] for p in event.payload["parts"]}["technical.bin"] == part.plaintext_sha256
    assert not any((services._root() / "tmp").iterdir())


def test_a_window_closed_during_decryption_stores_nothing(tender, monkeypatch):
    """The decryption runs outside the deciding transaction; if the window ends meanwhile, the result is not
    recorded and the temporary plaintext is removed."""
    procedure, lot, bidders = tender
    bids = [submit(u, k, lot)[0] for u, k in bidders]
    pass_deadline(procedure)
    real = services._open_parts

    def slow(bid, dek):
        out = real(bid, dek)
        Opening.objects.filter(lot=lot).update(window_ends_at=services.db_now())
        return out

    monkeypatch.setattr(services, "_open_parts", slow)
    user, keys = bidders[0]
    with pytest.raises(IllegalTransition):
        services.bid_decrypt(actor=user, bid=bids[0], content_key_b64=content_key(keys, bids[0]))
    bids[0].refresh_from_db()
    assert bids[0].status == "submitted" and not bids[0].parts.exclude(plaintext_sha256="").exists()
    assert not any((services._root() / "tmp").iterdir())


def test_factory_makes_opened_bids_for_other_apps(tender):
    _procedure, lot, bidders = tender
    from ..tests.factories import opened_lot

    result = opened_lot(lot, [{"organisation": u.organisation, "total_price": "100.5",
                               "terms": {"duration_days": 90}} for u, _k in bidders])
    assert opening_concluded(lot) and len(result) == 3
    assert result[0].total_price == Decimal("100.50") and result[0].terms == {"duration_days": "90"}


def test_the_window_ends_undecrypted_bids_fail_and_closing_revokes_them(tender):
    import datetime as dt

    from yangguang.accounts.models import User
    from yangguang.core.chronograph import chronograph_run
    from yangguang.core.dbclock import db_now

    procedure, lot, bidders = tender
    bids = [submit(u, k, lot)[0] for u, k in bidders]
    pass_deadline(procedure)
    opening = Opening.objects.get(lot=lot)
    user, keys = bidders[0]
    services.bid_decrypt(actor=user, bid=bids[0], content_key_b64=content_key(keys, bids[0]))
    agency = User.objects.get(username="agency")
    with pytest.raises(IllegalTransition):
        services.opening_conclude(actor=agency, opening=opening)  # two bidders are still within the window
    ended = db_now() - dt.timedelta(seconds=1)
    Opening.objects.filter(pk=opening.pk).update(window_ends_at=ended, next_check_at=ended)
    chronograph_run()
    statuses = sorted(Bid.objects.filter(lot=lot).values_list("status", "failure_cause"))
    assert statuses == [("decrypt_failed", "bidder"), ("decrypt_failed", "bidder"), ("opened", "")]
    with pytest.raises(IllegalTransition):
        services.bid_decrypt(actor=bidders[1][0], bid=bids[1], content_key_b64=content_key(bidders[1][1], bids[1]))
    opening.refresh_from_db()
    services.opening_conclude(actor=agency, opening=opening)
    assert sorted(Bid.objects.filter(lot=lot).values_list("status", flat=True)) == ["opened", "revoked", "revoked"]
    assert [b.bid_id for b in opened_bids(lot)] == [bids[0].pk]


def test_a_bidder_who_cannot_decrypt_declares_it_and_the_remedy_path_opens_it_before_the_window_ends(tender):
    """A bidder that lost its key says so within the window: its bid is failed on the bidder's side at once
    (reason kept, event marked as declared), so the officials' remedy path can open it while the window is
    still open. Nobody else can declare it; an empty reason, a second declaration and a declaration after
    the window are refused; a bidder that declared can still hand over its key later in the window."""
    from yangguang.accounts.models import User

    procedure, lot, bidders = tender
    shares = _shares(procedure)
    bids = [submit(u, k, lot)[0] for u, k in bidders]
    procedure = pass_deadline(procedure)
    opening = Opening.objects.get(lot=lot)
    (user1, keys1), (user2, keys2), (user3, _keys3) = bidders
    services.bid_decrypt(actor=user1, bid=bids[0], content_key_b64=content_key(keys1, bids[0]))
    with pytest.raises(PermissionDenied):
        services.bid_decrypt_declare_failure(actor=user1, bid=bids[2], reason="不是我的")
    with pytest.raises(ValidationFailed):
        services.bid_decrypt_declare_failure(actor=user3, bid=bids[2], reason="  ")
    with pytest.raises(IllegalTransition):  # already opened
        services.bid_decrypt_declare_failure(actor=user1, bid=bids[0], reason="误点")
    services.bid_decrypt_declare_failure(actor=user3, bid=bids[2], reason="密钥文件丢失")
    bids[2].refresh_from_db()
    assert bids[2].status == "decrypt_failed" and bids[2].failure_cause == "bidder"
    assert "密钥文件丢失" in bids[2].failure_note
    event = Event.objects.filter(action="bidding.bid.decrypt_failed").latest("seq")
    assert event.payload == {"cause": "bidder", "declared_by_bidder": True}
    with pytest.raises(IllegalTransition):  # declared once
        services.bid_decrypt_declare_failure(actor=user3, bid=bids[2], reason="再次声明")
    opening.refresh_from_db()
    assert db_now() < opening.window_ends_at  # the window is still open
    for holder in list(KeyHolder.objects.filter(opening_key__procedure=procedure).order_by("index"))[:2]:
        services.share_present(actor=holder.user, holder=holder, share_text=shares[holder.index])
    opened = services.opening_remedy(actor=User.objects.get(username="agency"), opening=opening)
    assert [b.pk for b in opened] == [bids[2].pk]
    bids[2].refresh_from_db()
    assert bids[2].status == "opened" and bids[2].decrypted_by == "remedy"
    # The second bidder declares, then finds its key within the window and decrypts after all.
    services.bid_decrypt_declare_failure(actor=user2, bid=bids[1], reason="口令忘记")
    services.bid_decrypt(actor=user2, bid=bids[1], content_key_b64=content_key(keys2, bids[1]))
    bids[1].refresh_from_db()
    assert bids[1].status == "opened" and bids[1].decrypted_by == "bidder"
    Opening.objects.filter(pk=opening.pk).update(window_ends_at=db_now() - dt.timedelta(seconds=1))
    with pytest.raises(IllegalTransition):  # the window has closed
        services.bid_decrypt_declare_failure(actor=user1, bid=bids[0], reason="太晚")


def test_a_decryption_reads_its_bid_and_gate_in_few_statements_and_answers_with_the_bid(
        tender, django_assert_max_num_queries):
    """The opening runs bid_decrypt once per bid: its reads are two constant statements (bidding/gate.py)
    and the bid it returns (locked, built from that row) carries what the API answers with."""
    procedure, lot, bidders = tender
    bids = [submit(u, k, lot)[0] for u, k in bidders]
    pass_deadline(procedure)
    user, keys = bidders[0]
    # Context, parts, locked gate with the bid, the parts' update, the bid's update and the event (two
    # statements on SQLite): 7; the ORM version ran 11, several over five-table joins. Statements prepared
    # on PostgreSQL bypass Django's cursor and are not counted there.
    with django_assert_max_num_queries(7):
        out = services.bid_decrypt(actor=user, bid=bids[0], content_key_b64=content_key(keys, bids[0]))
    fresh = Bid.objects.get(pk=bids[0].pk)
    assert (out.pk, out.status, out.lot_id, out.token, out.version, out.manifest_sha256) == \
        (fresh.pk, "opened", lot.pk, fresh.token, fresh.version, fresh.manifest_sha256)
    assert out.submitted_at is not None and out.submitted_at.tzinfo is not None
    assert out.submitted_at == fresh.submitted_at
    assert fresh.decrypted_by == "bidder" and fresh.total_price is not None
