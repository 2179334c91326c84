"""Bidder keys, key wrapping, signatures and canonical JSON."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yangguang.seal import (
    SUITES,
    BidderKeys,
    SealError,
    Tampered,
    bid_aad,
    canonical_json,
    content_key_new,
    sign_message,
    unwrap_key,
    verify_message,
    wrap_key,
)
from yangguang.seal.keys import b64e, protect

KEYS = BidderKeys.generate()
OTHER = BidderKeys.generate()


def aad(suite: str, bidder: str = "B1") -> bytes:
    return bid_aad(tender="T-1", lot=1, bidder=bidder, version=1, part="files", suite=suite)


@pytest.mark.parametrize("suite,size", [("INTL-1", 32), ("GM-1", 16)])
def test_content_key_sizes(suite: str, size: int) -> None:
    assert len(content_key_new(suite)) == size
    assert content_key_new(suite) != content_key_new(suite)
    with pytest.raises(SealError):
        content_key_new("DES")


@pytest.mark.parametrize("suite", SUITES)
def test_wrap_round_trip_and_json_safe(suite: str) -> None:
    dek = content_key_new(suite)
    wrapped = wrap_key(dek, KEYS.public_bundle()["enc"], suite=suite, aad=aad(suite))
    assert json.loads(json.dumps(wrapped)) == wrapped
    assert unwrap_key(wrapped, KEYS.enc_private, aad=aad(suite)) == dek
    # two wraps of the same key differ (fresh ephemeral key and nonce)
    assert wrap_key(dek, KEYS.public_bundle()["enc"], suite=suite, aad=aad(suite))["ct"] != wrapped["ct"]


@pytest.mark.parametrize("suite", SUITES)
def test_unwrap_rejects_wrong_aad_and_wrong_recipient(suite: str) -> None:
    dek = content_key_new(suite)
    wrapped = wrap_key(dek, KEYS.public_bundle()["enc"], suite=suite, aad=aad(suite))
    with pytest.raises(Tampered):
        unwrap_key(wrapped, KEYS.enc_private, aad=aad(suite, bidder="B2"))
    with pytest.raises(Tampered, match="not the recipient"):
        unwrap_key(wrapped, OTHER.enc_private, aad=aad(suite))
    # lying about the key id does not help the wrong recipient either
    forged = dict(wrapped, kid=__import__("yangguang.seal").seal.key_id(
        base64.b64decode(OTHER.public_bundle()["enc"])))
    with pytest.raises(Tampered):
        unwrap_key(forged, OTHER.enc_private, aad=aad(suite))


def _flips(value: str) -> list[str]:
    raw = base64.b64decode(value)
    out = []
    for pos in range(len(raw)):
        for bit in range(8):
            bad = bytearray(raw)
            bad[pos] ^= 1 << bit
            out.append(base64.b64encode(bytes(bad)).decode())
    return out


@pytest.mark.parametrize("suite", SUITES)
def test_every_bit_flip_in_a_wrapped_key_is_rejected(suite: str) -> None:
    dek = content_key_new(suite)
    wrapped = wrap_key(dek, KEYS.public_bundle()["enc"], suite=suite, aad=aad(suite))
    for field in ("enc", "nonce", "ct"):
        for bad in _flips(wrapped[field]):
            with pytest.raises(SealError):
                unwrap_key(dict(wrapped, **{field: bad}), KEYS.enc_private, aad=aad(suite))
    for field in ("suite", "kem", "kid"):
        text = wrapped[field]
        for pos in range(len(text)):
            for bit in range(7):
                bad = text[:pos] + chr(ord(text[pos]) ^ (1 << bit)) + text[pos + 1:]
                with pytest.raises(SealError):
                    unwrap_key(dict(wrapped, **{field: bad}), KEYS.enc_private, aad=aad(suite))
    with pytest.raises(SealError):
        unwrap_key(dict(wrapped, v=2), KEYS.enc_private, aad=aad(suite))
    with pytest.raises(SealError):
        unwrap_key({k: v for k, v in wrapped.items() if k != "enc"}, KEYS.enc_private, aad=aad(suite))


def test_wrap_rejects_bad_inputs() -> None:
    with pytest.raises(SealError):
        wrap_key(bytes(16), KEYS.public_bundle()["enc"], suite="INTL-1", aad=b"")  # GM-1 size for INTL-1
    with pytest.raises(SealError):
        wrap_key(bytes(32), "not base64!", suite="INTL-1", aad=b"")
    with pytest.raises(SealError):
        wrap_key(bytes(32), b64e(bytes(32)), suite="INTL-1", aad=b"")  # low-order point
    with pytest.raises(SealError, match="names suite"):
        wrap_key(bytes(32), KEYS.public_bundle()["enc"], suite="INTL-1", aad=aad("GM-1"))


def test_key_file_round_trip_and_wrong_passphrase() -> None:
    data = KEYS.export("correct horse battery staple")
    loaded = BidderKeys.load(data, "correct horse battery staple")
    assert loaded.public_bundle() == KEYS.public_bundle()
    with pytest.raises(Tampered):
        BidderKeys.load(data, "wrong passphrase")
    obj = json.loads(data)
    obj["public"]["enc"] = OTHER.public_bundle()["enc"]  # swap the public key a sealer would read
    with pytest.raises(Tampered):
        BidderKeys.load(json.dumps(obj).encode(), "correct horse battery staple")
    with pytest.raises(SealError):
        BidderKeys.load(b"garbage", "x")


def test_key_file_with_pbkdf2_is_accepted() -> None:
    """seal.js writes key files with PBKDF2-SHA256 (WebCrypto has no scrypt); the loader accepts them."""
    from yangguang.seal.keys import _private_raw

    header = {"format": "yangguang-bidder-key", "v": 1, "public": KEYS.public_bundle()}
    obj = protect(_private_raw(KEYS.enc_private) + _private_raw(KEYS.sign_private), "pw-12345", header)
    import os

    obj["kdf"] = {"name": "pbkdf2-sha256", "iterations": 100_000, "salt": b64e(os.urandom(16))}
    # re-encrypt under the PBKDF2 key (protect always picks scrypt)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from yangguang.seal.keys import _kdf_derive, _protect_aad

    key = _kdf_derive(obj["kdf"], "pw-12345")
    secret = _private_raw(KEYS.enc_private) + _private_raw(KEYS.sign_private)
    obj["ct"] = b64e(AESGCM(key).encrypt(base64.b64decode(obj["nonce"]), secret, _protect_aad(obj)))
    assert BidderKeys.load(canonical_json(obj), "pw-12345").public_bundle() == KEYS.public_bundle()
    obj["kdf"]["iterations"] = 1000  # too weak: refused
    with pytest.raises(SealError):
        BidderKeys.load(canonical_json(obj), "pw-12345")


def test_signatures() -> None:
    sig = sign_message(b"submit", KEYS.sign_private)
    assert verify_message(b"submit", sig, KEYS.public_bundle()["sign"])
    assert not verify_message(b"submit!", sig, KEYS.public_bundle()["sign"])
    assert not verify_message(b"submit", sig, OTHER.public_bundle()["sign"])
    assert not verify_message(b"submit", "###", KEYS.public_bundle()["sign"])
    assert not verify_message(b"submit", sig, "AAAA")


@settings(max_examples=30, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                    max_leaves=10))
def test_canonical_json_is_stable(obj: object) -> None:
    once = canonical_json(obj)
    assert canonical_json(json.loads(once)) == once
    assert once.decode() == json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_canonical_json_form() -> None:
    assert canonical_json({"b": 1, "a": ["中", 2]}) == '{"a":["中",2],"b":1}'.encode()
