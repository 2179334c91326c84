"""One works tender through every app that takes part in a trade, by their public seams only: tendering
publishes it, the bidders register, seal with the real seal library, upload in chunks and submit over the API;
the deadline passes (by the database clock, through the worker's steps); the bidders hand over their content
keys in the opening; the record is closed; the evaluation opens on bidding's ``opened_bids`` (no explicit
list), the committee reviews, scores and signs, the candidates are publicised, the award and the contract are
recorded, and the funding check answers allow for the project. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.test import Client

from yangguang import seal
from yangguang.accounts.models import User
from yangguang.bidding import services as bidding
from yangguang.bidding.bidder import CANARY, content_key, price_sheet, seal_bid
from yangguang.bidding.models import Bid, KeyHolder, Opening
from yangguang.bidding.selectors import opened_bids
from yangguang.bidding.tests.sealing import pass_deadline
from yangguang.core.dbclock import db_now
from yangguang.core.models import Event
from yangguang.evaluation import services as evaluation_services
from yangguang.evaluation.states import EvaluationStatus
from yangguang.evaluation.tests import factories as ef
from yangguang.notices.models import Notice
from yangguang.notices.services import notice_publicity_close
from yangguang.projects.funding import funding_check
from yangguang.tendering.services.securities import security_guarantee_record

pytestmark = pytest.mark.django_db

PRICES = ("4500000.00", "4300000.00", "4650000.00")
CHUNK = 64 * 1024


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _seal_and_submit(client: Client, user: User, lot, price: str) -> tuple[int, seal.BidderKeys]:
    """What the bidder's browser does: register its key, seal the parts locally, upload them in chunks,
    submit the signed manifest; returns the bid's id and the keys (kept on the bidder's side)."""
    keys = seal.BidderKeys.generate()
    bundle = keys.public_bundle()
    assert client.post("/api/v1/bidding/keys", {"enc": bundle["enc"], "sign": bundle["sign"]},
                       content_type="application/json").status_code == 201
    technical = b"%PDF " + CANARY + price.encode() + b"x" * (3 * CHUNK)  # several chunks
    sealed = seal_bid(user, keys, lot, parts={
        "price.json": price_sheet(price, "large", duration_days="300", quality="合格"), "technical.pdf": technical})
    for name, data in sealed.envelopes.items():
        started = client.post(f"/api/v1/bidding/lots/{lot.pk}/uploads", {
            "name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "chunk_size": CHUNK},
            content_type="application/json")
        assert started.status_code == 201, started.content
        upload = started.json()
        for index in range(upload["chunks"]):
            chunk = data[index * CHUNK:(index + 1) * CHUNK]
            sent = client.put(f"/api/v1/bidding/uploads/{upload['id']}/chunks/{index}", data=chunk,
                              content_type="application/octet-stream",
                              HTTP_X_CHUNK_SHA256=hashlib.sha256(chunk).hexdigest())
            assert sent.status_code == 200, sent.content
        assert sent.json()["status"] == "complete" and sent.json()["missing"] == []
    submitted = client.post(f"/api/v1/bidding/lots/{lot.pk}/bids",
                            {"manifest": sealed.manifest, "signature": sealed.signature},
                            content_type="application/json")
    assert submitted.status_code == 201, submitted.content
    assert bidding.receipt_verify(submitted.json()["receipt"])
    return submitted.json()["bid"]["id"], keys


def test_a_tender_runs_from_publication_to_the_funding_check(demo):
    # Tendering publishes; bidding's hook created the opening key; its holders take their shares.
    procedure = ef.procedure_in()
    lot = procedure.lots.get()
    for holder in KeyHolder.objects.filter(opening_key__procedure=procedure):
        bidding.share_download(actor=holder.user, holder=holder)

    users = ef.bidders(len(PRICES))
    sealed: dict[int, tuple[User, seal.BidderKeys]] = {}
    for user, price in zip(users, PRICES, strict=True):
        client = _client(user)
        assert client.post(f"/api/v1/tendering/lots/{lot.pk}/register").status_code == 201
        organisation = ef.organisation_of(user)
        # The bidder records its electronic bid guarantee (tendering's service).
        security_guarantee_record(actor=user, lot=lot, guarantee_number=f"E2E-G-{lot.pk}-{organisation.pk}",
                                  issuer="测试银行", amount=lot.bid_security)
        bid_id, keys = _seal_and_submit(client, user, lot, price)
        sealed[bid_id] = (user, keys)

    # Before the deadline: nothing opened, nothing to evaluate, and the bid list is nobody's to see.
    assert opened_bids(lot) == []
    with pytest.raises(Exception):  # noqa: B017 - any refusal; the procedure is still open for bids
        bidding.opening_begin(actor=ef.staff(), procedure=procedure)

    # The deadline passes: the worker's steps close bidding and open the lot (three bids ≥ the minimum).
    procedure = pass_deadline(procedure)
    assert procedure.status == "ready_for_opening"
    opening = Opening.objects.get(lot=lot)
    assert opening.bid_count == len(PRICES)

    # The opening: each bidder hands over its content key (unwrapped on its side), then confirms the record.
    for bid_id, (user, keys) in sealed.items():
        bid = Bid.objects.select_related("lot__procedure", "organisation").get(pk=bid_id)
        client = _client(user)
        answer = client.post(f"/api/v1/bidding/bids/{bid_id}/decrypt", {"content_key": content_key(keys, bid)},
                             content_type="application/json")
        assert answer.status_code == 200 and answer.json()["status"] == "opened", answer.content
        assert client.post(f"/api/v1/bidding/openings/{lot.pk}/respond", {"confirmed": True},
                           content_type="application/json").status_code == 200
    assert opened_bids(lot) == []  # the record is not closed yet
    agency = User.objects.get(username="agency")
    bidding.opening_conclude(actor=agency, opening=opening)
    opening.refresh_from_db()
    assert opening.status == "concluded" and opening.record_sha256

    valid = opened_bids(lot)
    assert sorted(b.total_price for b in valid) == sorted(Decimal(p) for p in PRICES)
    assert all(b.security_ok and b.terms["duration_days"] == "300" for b in valid)

    # Evaluation opens on bidding's selector (no explicit list).
    evaluation = evaluation_services.evaluation_open(actor=ef.staff(), lot=lot)
    tenderers = list(evaluation.tenderers.order_by("ref"))
    assert {t.organisation_id for t in tenderers} == {ef.organisation_of(u).pk for u in users}
    assert {t.price for t in tenderers} == {Decimal(p) for p in PRICES}
    assert {t.bid_id for t in tenderers} == set(sealed)
    opened_event = Event.objects.get(action="evaluation.evaluation.opened")
    assert opened_event.payload["bids"] == len(PRICES)

    # Committee, reviews, scores, report.
    evaluation = ef.ready(ef.seated(evaluation))
    evaluation = evaluation_services.evaluation_start(actor=ef.staff(), evaluation=evaluation)
    evaluation = ef.signed(ef.score_all(ef.reviewed(evaluation)))
    assert evaluation.status == EvaluationStatus.REPORTED

    # Publicity of the candidates, its end (the chronograph's step), award and contract.
    notice = evaluation_services.publicity_publish(actor=ef.purchaser(), evaluation=evaluation)
    assert funding_check(code=procedure.project.code).decision == "pending"
    locked = Notice.objects.get(pk=notice.pk)
    assert locked.publicity_closes_at is not None
    notice_publicity_close(locked, locked.publicity_closes_at + dt.timedelta(seconds=1))
    evaluation.refresh_from_db()
    award = evaluation_services.award_confirm(actor=ef.purchaser(), evaluation=evaluation)
    first = next(r for r in evaluation.outcome["rows"] if r["rank"] == 1)
    assert award.tenderer.ref == first["ref"]
    evaluation_services.contract_record(actor=ef.purchaser(), evaluation=evaluation, signed_on=db_now().date(),
                                        price=award.price, fields=ef.contract_fields())

    # The finance system may now pay the project.
    answer = funding_check(code=procedure.project.code)
    assert answer.decision == "allow", answer.as_dict()
    assert procedure.project.code in answer.project
