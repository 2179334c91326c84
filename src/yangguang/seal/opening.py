"""The per-tender opening key ceremony: a k-of-n Shamir split of a 16-byte KEK that encrypts the opening
private key; per-share commitments; armoured (optionally passphrase-protected) share files.

``encrypted_private`` layout::

    offset size  field
         0    4  magic b"YGOK"
         4    1  version (1)
         5    1  suite code
         6    1  k
         7    1  n
         8   32  opening public key (X25519, raw)
        40   12  nonce
        52   48  AEAD(private key, 32 bytes) ‖ tag;  AEAD key = HKDF(suite hash, KEK, info) ;
                 associated data = bytes 0..52 ‖ tender (UTF-8)

Commitment of share i = hex(hash(value ‖ i (one byte) ‖ tender UTF-8)) with the suite's hash (SHA-256 /
SM3). Shamir over GF(2^128) is ``Crypto.Protocol.SecretSharing.Shamir`` (pycryptodome): shares are 16 bytes,
indices start at 1.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
import textwrap
from dataclasses import dataclass, field

from Crypto.Protocol.SecretSharing import Shamir
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from .errors import BadShare, SealError, Tampered
from .keys import _private_raw, b64d, b64e, canonical_json, protect, unprotect
from .suites import NONCE_SIZE, Suite, raw_public, suite_by_code, suite_get

KEK_SIZE = 16
MAX_SHARES = 255
_OK_MAGIC = b"YGOK"
_OK_HEAD = struct.Struct(">4sBBBB32s12s")
_OK_SIZE = _OK_HEAD.size + 32 + 16
ARMOR_BEGIN = "-----BEGIN YANGGUANG OPENING KEY SHARE-----"
ARMOR_END = "-----END YANGGUANG OPENING KEY SHARE-----"
SHARE_FORMAT = "yangguang-opening-share"


@dataclass(frozen=True)
class Share:
    index: int
    value: bytes = field(repr=False)


@dataclass(frozen=True)
class OpeningCeremony:
    tender: str
    suite: str
    k: int
    n: int
    public_key_b64: str
    encrypted_private: bytes
    shares: list[Share] = field(repr=False)
    commitments: list[str]


def share_commitment(share: Share, *, tender: str, suite: str) -> str:
    """hex(hash(value ‖ index byte ‖ tender)) with the suite's hash."""
    if not 1 <= share.index <= MAX_SHARES:
        raise BadShare(share.index, f"share index {share.index} out of range")
    return suite_get(suite).hash(share.value + bytes([share.index]) + tender.encode()).hex()


def share_verify(share: Share, *, tender: str, suite: str, commitments: list[str]) -> bool:
    """True when ``share`` matches its published commitment (checks one share as it is presented)."""
    if not 1 <= share.index <= len(commitments) or len(share.value) != KEK_SIZE:
        return False
    return hmac.compare_digest(share_commitment(share, tender=tender, suite=suite), commitments[share.index - 1])


def _kek_key(s: Suite, kek: bytes, tender: str) -> bytes:
    return s.hkdf(kek, length=s.key_size, salt=None,
                  info=b"yangguang-seal/opening-kek/v1/" + s.name.encode() + b"/" + tender.encode())


def opening_key_create(*, tender: str, suite: str, k: int, n: int) -> OpeningCeremony:
    """Generate a tender's opening key pair, encrypt the private half under a fresh KEK and split the KEK
    k-of-n. Nothing secret is kept: the caller hands out ``shares`` and forgets them."""
    s = suite_get(suite)
    if not isinstance(tender, str) or not tender:
        raise SealError("tender must be a non-empty string")
    if not (isinstance(k, int) and isinstance(n, int) and 2 <= k <= n <= MAX_SHARES):
        raise SealError(f"need 2 <= k <= n <= {MAX_SHARES}, got k={k}, n={n}")
    private = X25519PrivateKey.generate()
    public = raw_public(private)
    kek = os.urandom(KEK_SIZE)
    nonce = os.urandom(NONCE_SIZE)
    head = _OK_HEAD.pack(_OK_MAGIC, 1, s.code, k, n, public, nonce)
    sealed = s.aead(_kek_key(s, kek, tender)).encrypt(nonce, _private_raw(private), head + tender.encode())
    shares = [Share(index=i, value=bytes(v)) for i, v in Shamir.split(k, n, kek, ssss=False)]
    commitments = [share_commitment(sh, tender=tender, suite=suite) for sh in shares]
    return OpeningCeremony(tender=tender, suite=suite, k=k, n=n, public_key_b64=b64e(public),
                           encrypted_private=head + sealed, shares=shares, commitments=commitments)


def opening_key_info(encrypted_private: bytes) -> dict[str, object]:
    """suite, k, n and the public key recorded in an encrypted opening key."""
    if len(encrypted_private) != _OK_SIZE:
        raise SealError("not an encrypted opening key (wrong size)")
    magic, version, code, k, n, public, _nonce = _OK_HEAD.unpack(encrypted_private[:_OK_HEAD.size])
    if magic != _OK_MAGIC or version != 1:
        raise SealError("not an encrypted opening key")
    return {"suite": suite_by_code(code).name, "k": k, "n": n, "public_key_b64": b64e(public)}


def opening_key_recover(*, tender: str, suite: str, encrypted_private: bytes, shares: list[Share],
                        commitments: list[str]) -> X25519PrivateKey:
    """Rebuild the opening private key from at least k shares. Raises BadShare(index) for the first share
    that does not match its commitment, SealError when fewer than k distinct good shares are given, and
    Tampered when the encrypted key itself was changed."""
    info = opening_key_info(encrypted_private)
    if info["suite"] != suite:
        raise SealError(f"the opening key was made for suite {info['suite']}, not {suite}")
    k, n = int(str(info["k"])), int(str(info["n"]))
    if len(commitments) != n:
        raise SealError(f"expected {n} commitments, got {len(commitments)}")
    good: dict[int, bytes] = {}
    for share in shares:
        if not share_verify(share, tender=tender, suite=suite, commitments=commitments):
            raise BadShare(share.index)
        good[share.index] = share.value
    if len(good) < k:
        raise SealError(f"{k} shares are needed to open, only {len(good)} given")
    kek = Shamir.combine(sorted(good.items())[:k], ssss=False)
    s = suite_get(suite)
    head = encrypted_private[:_OK_HEAD.size]
    nonce = head[-NONCE_SIZE:]
    raw = s.aead(_kek_key(s, bytes(kek), tender)).decrypt(nonce, encrypted_private[_OK_HEAD.size:],
                                                          head + tender.encode())
    private = X25519PrivateKey.from_private_bytes(raw)
    if b64e(raw_public(private)) != info["public_key_b64"]:
        raise Tampered("recovered private key does not match the published opening key")
    return private


# --- armoured share files ----------------------------------------------------------------------------


def share_export(share: Share, *, tender: str, passphrase: str | None = None) -> str:
    """The share as armoured text; with a passphrase its value is encrypted (scrypt + AES-256-GCM)."""
    header = {"format": SHARE_FORMAT, "v": 1, "tender": tender, "index": share.index}
    if passphrase:
        body = protect(share.value, passphrase, header)
    else:
        body = dict(header, value=b64e(share.value), check=_check(share.value, tender, share.index))
    encoded = base64.b64encode(canonical_json(body)).decode()
    lines = [ARMOR_BEGIN, f"Tender: {tender}", f"Index: {share.index}",
             f"Protected: {'yes' if passphrase else 'no'}", "", *textwrap.wrap(encoded, 64), ARMOR_END]
    return "\n".join(lines) + "\n"


def _check(value: bytes, tender: str, index: int) -> str:
    return hashlib.sha256(value + bytes([index]) + tender.encode()).hexdigest()[:8]


def share_import(text: str, *, passphrase: str | None = None, tender: str | None = None) -> Share:
    """Read an armoured share; ``tender``, when given, must match the one it was exported for."""
    lines = [ln.strip() for ln in text.strip().splitlines()]
    try:
        start, end = lines.index(ARMOR_BEGIN), lines.index(ARMOR_END)
    except ValueError:
        raise SealError("not an armoured Yangguang opening key share") from None
    body_lines = [ln for ln in lines[start + 1:end] if ln and ":" not in ln]
    try:
        body = json.loads(base64.b64decode("".join(body_lines), validate=True))
        index = int(body["index"])
        body_tender = str(body["tender"])
        if body.get("format") != SHARE_FORMAT or body.get("v") != 1:
            raise ValueError("format")
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise SealError("the share text is damaged (cannot decode it)") from None
    if tender is not None and tender != body_tender:
        raise BadShare(index, f"share {index} belongs to tender {body_tender!r}, not {tender!r}")
    if "ct" in body:
        if not passphrase:
            raise BadShare(index, f"share {index} is passphrase-protected: a passphrase is needed")
        try:
            value = unprotect(body, passphrase)
        except Tampered:
            raise BadShare(index, f"share {index}: wrong passphrase, or the share text was changed") from None
    else:
        value = b64d(str(body.get("value", "")), what="share value")
        if _check(value, body_tender, index) != body.get("check"):
            raise BadShare(index, f"share {index}: checksum mismatch (the share text was changed)")
    if len(value) != KEK_SIZE:
        raise BadShare(index, f"share {index} has the wrong size")
    return Share(index=index, value=value)
