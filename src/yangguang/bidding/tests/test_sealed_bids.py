"""Sealed bids end to end through the services and the real cryptography: keys, the opening-key ceremony,
chunked uploads, submit with receipts, the deadline by the database clock, the opening by the bidders'
keys and by the remedy path, the record and its PDF."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from yangguang import seal
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.models import Event

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
