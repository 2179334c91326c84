"""What a bidder's tool does, in Python (the same steps as seal.js and the CLI): seal the parts, upload them
in chunks through the services, build and sign the manifest, and unwrap the content key at the opening. Used by
the demo, the tests and the benchmarks."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

from yangguang import seal
from yangguang.accounts.models import User
from yangguang.tendering.models import Lot

from . import services
from .models import Bid, OpeningKey

CANARY = b"YANGGUANG-SEALED-CANARY"


@dataclass
class Sealed:
    manifest: dict[str, Any]
    signature: str
    dek: bytes
    envelopes: dict[str, bytes]


def price_sheet(total: str = "4500000.00", size: str = "small", **terms: str) -> bytes:
    return json.dumps({"total_price": total, "enterprise_size": size,
                       "terms": terms or {"duration_days": "180", "quality": "合格", "warranty": "2年"},
                       "price_lines": [{"item": "土建", "quantity": "1", "unit_price": total, "amount": total}]},
                      ensure_ascii=False).encode()


def keys_for(user: User) -> seal.BidderKeys:
    keys = seal.BidderKeys.generate()
    bundle = keys.public_bundle()
    services.bidder_key_register(actor=user, enc_public=bundle["enc"], sign_public=bundle["sign"])
    return keys


def seal_bid(user: User, keys: seal.BidderKeys, lot: Lot, *, version: int = 1,
             parts: dict[str, bytes] | None = None, suite: str = "INTL-1") -> Sealed:
    procedure = lot.procedure
    code = procedure.code
    bidder = user.organisation.credit_code  # type: ignore[union-attr]
    parts = parts if parts is not None else {"price.json": price_sheet(), "technical.pdf": b"%PDF " + CANARY}
    dek = seal.content_key_new(suite)
    envelopes: dict[str, bytes] = {}
    listed = []
    for name, data in parts.items():
        out = io.BytesIO()
        aad = seal.bid_aad(tender=code, lot=lot.number, bidder=bidder, version=version, part=name, suite=suite)
        seal.seal_stream(dek, io.BytesIO(data), out, suite=suite, aad=aad, segment_size=64 * 1024)
        envelopes[name] = out.getvalue()
        listed.append({"name": name, "sha256": hashlib.sha256(out.getvalue()).hexdigest(), "size": len(out.getvalue())})
    key_aad = seal.bid_aad(tender=code, lot=lot.number, bidder=bidder, version=version, part=services.KEY_PART,
                           suite=suite)
    bundle = keys.public_bundle()
    opening_public = OpeningKey.objects.get(procedure=procedure).public_key
    manifest = {"tender": code, "lot": lot.number, "bidder": bidder, "version": version, "suite": suite,
                "parts": listed, "price_part": "price.json" if "price.json" in parts else next(iter(parts)),
                "key": services.key_fingerprint(bundle["enc"], bundle["sign"]),
                "wrapped": {"bidder": seal.wrap_key(dek, bundle["enc"], suite=suite, aad=key_aad),
                            "opening": seal.wrap_key(dek, opening_public, suite=suite, aad=key_aad)}}
    signature = seal.sign_message(seal.canonical_json(manifest), keys.sign_private)
    return Sealed(manifest, signature, dek, envelopes)


def upload_all(user: User, lot: Lot, sealed: Sealed, chunk_size: int = 64 * 1024) -> None:
    for name, data in sealed.envelopes.items():
        upload = services.upload_start(actor=user, lot=lot, name=name, size=len(data),
                                       sha256=hashlib.sha256(data).hexdigest(), chunk_size=chunk_size)
        for i in range(upload.chunk_count):
            chunk = data[i * chunk_size:(i + 1) * chunk_size]
            services.upload_chunk(actor=user, upload=upload, index=i, data=chunk,
                                  sha256=hashlib.sha256(chunk).hexdigest())


def submit(user: User, keys: seal.BidderKeys, lot: Lot, **kwargs: Any) -> tuple[Bid, Sealed]:
    sealed = seal_bid(user, keys, lot, **kwargs)
    upload_all(user, lot, sealed)
    bid = services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature)
    return bid, sealed


def content_key(keys: seal.BidderKeys, bid: Bid) -> str:
    """What the bidder's side does at the opening: unwrap its own copy of the content key."""
    aad = seal.bid_aad(tender=bid.lot.procedure.code, lot=bid.lot.number, bidder=bid.organisation.credit_code,
                       version=bid.version, part=services.KEY_PART, suite=bid.suite)
    return _b64(seal.unwrap_key(bid.wrapped_bidder, keys.enc_private, aad=aad))


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode()


