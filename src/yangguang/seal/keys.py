"""Bidder keys, content-key wrapping, signatures, canonical JSON and passphrase protection."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import SealError, Tampered
from .suites import NONCE_SIZE, raw_public, suite_get, x25519_public

WRAP_VERSION = 1
KEY_FILE_FORMAT = "yangguang-bidder-key"

# scrypt cost for key files and share files: 2**15 × 8 × 128 B = 32 MiB, about 0.1 s.
SCRYPT_N = 1 << 15
SCRYPT_R = 8
SCRYPT_P = 1
# PBKDF2 is accepted on import (browsers have PBKDF2 in WebCrypto, not scrypt).
PBKDF2_MIN_ITERATIONS = 100_000


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 (non-ASCII kept) — the bytes that get hashed and signed."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: str, *, what: str = "value", size: int | None = None) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise SealError(f"{what} is not valid base64") from None
    if size is not None and len(data) != size:
        raise SealError(f"{what} must be {size} bytes, got {len(data)}")
    return data


def aad_suite_check(aad: bytes, suite: str) -> None:
    """When ``aad`` is a bid AAD (``bid_aad``), its suite must be the one used: refuse to make an envelope or
    a wrapped key whose header and associated data name different suites."""
    if not aad.startswith(b"{") or b'"domain":"yangguang-bid/v1"' not in aad:
        return
    try:
        named = json.loads(aad).get("suite")
    except (ValueError, AttributeError):
        return
    if named != suite:
        raise SealError(f"the associated data names suite {named!r} but {suite!r} is used")


def key_id(public_raw: bytes) -> str:
    """Short fingerprint of a public key (first 16 bytes of its SHA-256, hex)."""
    return hashlib.sha256(public_raw).hexdigest()[:32]


# --- passphrase protection (key files, share files) -------------------------------------------------


def _passphrase_bytes(passphrase: str | bytes) -> bytes:
    if isinstance(passphrase, bytes):
        return passphrase
    if not isinstance(passphrase, str):
        raise SealError("passphrase must be text")
    return unicodedata.normalize("NFC", passphrase).encode()


def _kdf_derive(kdf: dict[str, Any], passphrase: str | bytes) -> bytes:
    pw = _passphrase_bytes(passphrase)
    if not pw:
        raise SealError("empty passphrase")
    salt = b64d(kdf.get("salt", ""), what="kdf salt")
    name = kdf.get("name")
    if name == "scrypt":
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        if n > (1 << 20) or r > 32 or p > 16:
            raise SealError("scrypt parameters out of range")
        return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(pw)
    if name == "pbkdf2-sha256":
        iterations = int(kdf["iterations"])
        if not PBKDF2_MIN_ITERATIONS <= iterations <= 10_000_000:
            raise SealError("PBKDF2 iteration count out of range")
        return PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations).derive(pw)
    raise SealError(f"unknown key derivation {name!r}")


def _kdf_new() -> dict[str, Any]:
    return {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": b64e(os.urandom(16))}


def protect(secret: bytes, passphrase: str | bytes, header: dict[str, Any]) -> dict[str, Any]:
    """AES-256-GCM under a scrypt key; ``header`` (plus the kdf) is authenticated as AAD."""
    obj = dict(header)
    obj["kdf"] = _kdf_new()
    key = _kdf_derive(obj["kdf"], passphrase)
    nonce = os.urandom(NONCE_SIZE)
    obj["nonce"] = b64e(nonce)
    obj["ct"] = b64e(AESGCM(key).encrypt(nonce, secret, _protect_aad(obj)))
    return obj


def unprotect(obj: dict[str, Any], passphrase: str | bytes) -> bytes:
    try:
        key = _kdf_derive(obj["kdf"], passphrase)
        nonce = b64d(obj["nonce"], what="nonce", size=NONCE_SIZE)
        ct = b64d(obj["ct"], what="ciphertext")
    except (KeyError, TypeError, ValueError) as exc:
        raise SealError(f"malformed protected data: {exc}") from None
    try:
        return AESGCM(key).decrypt(nonce, ct, _protect_aad(obj))
    except InvalidTag:
        raise Tampered("wrong passphrase, or the file was changed") from None


def _protect_aad(obj: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in obj.items() if k not in ("nonce", "ct")})


# --- bidder keys -------------------------------------------------------------------------------------


@dataclass
class BidderKeys:
    """A bidder's encryption key (X25519, receives wrapped content keys) and signing key (Ed25519)."""

    enc_private: X25519PrivateKey
    sign_private: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls) -> BidderKeys:
        return cls(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())

    def public_bundle(self) -> dict[str, str]:
        return {"enc": b64e(raw_public(self.enc_private)), "sign": b64e(_ed_public_raw(self.sign_private))}

    def export(self, passphrase: str | bytes) -> bytes:
        """The key file (JSON): both private keys encrypted under the passphrase (scrypt + AES-256-GCM)."""
        secret = _private_raw(self.enc_private) + _private_raw(self.sign_private)
        header = {"format": KEY_FILE_FORMAT, "v": 1, "public": self.public_bundle()}
        return canonical_json(protect(secret, passphrase, header)) + b"\n"

    @classmethod
    def load(cls, data: bytes | str, passphrase: str | bytes) -> BidderKeys:
        try:
            obj = json.loads(data)
        except (ValueError, UnicodeDecodeError):
            raise SealError("not a Yangguang bidder key file (not JSON)") from None
        if not isinstance(obj, dict) or obj.get("format") != KEY_FILE_FORMAT or obj.get("v") != 1:
            raise SealError("not a Yangguang bidder key file")
        secret = unprotect(obj, passphrase)
        if len(secret) != 64:
            raise SealError("bidder key file holds a secret of the wrong size")
        keys = cls(X25519PrivateKey.from_private_bytes(secret[:32]),
                   Ed25519PrivateKey.from_private_bytes(secret[32:]))
        if keys.public_bundle() != obj.get("public"):
            raise Tampered("the key file's public keys do not match its private keys")
        return keys


def _private_raw(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def _ed_public_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


# --- signatures --------------------------------------------------------------------------------------


def sign_message(data: bytes, sign_private: Ed25519PrivateKey) -> str:
    """Ed25519 signature of ``data``, base64."""
    return b64e(sign_private.sign(data))


def verify_message(data: bytes, sig_b64: str, sign_public_b64: str) -> bool:
    """True when ``sig_b64`` is a valid Ed25519 signature of ``data`` by ``sign_public_b64``; never raises
    on malformed input (returns False)."""
    try:
        sig = b64d(sig_b64, what="signature", size=64)
        pub = Ed25519PublicKey.from_public_bytes(b64d(sign_public_b64, what="public key", size=32))
        pub.verify(sig, data)
    except (SealError, InvalidSignature, ValueError, TypeError):
        return False
    return True


# --- content keys and key wrapping -------------------------------------------------------------------


def content_key_new(suite: str) -> bytes:
    """A fresh random content key: 32 bytes for INTL-1 (AES-256), 16 bytes for GM-1 (SM4)."""
    return secrets.token_bytes(suite_get(suite).key_size)


def _wrap_info(suite: str) -> bytes:
    return b"yangguang-seal/wrap/v1/" + suite.encode()


def _wrap_aad(wrapped: dict[str, Any], aad: bytes) -> bytes:
    head = {k: wrapped[k] for k in ("v", "suite", "kem", "kid")}
    return canonical_json(head) + aad


def wrap_key(dek: bytes, recipient_enc_public_b64: str, *, suite: str, aad: bytes) -> dict[str, Any]:
    """Wrap a content key to a recipient's X25519 public key: ephemeral ECDH → HKDF(suite hash, salt =
    ephemeral ‖ recipient public key) → suite AEAD. ``aad`` (and the version, suite, KEM and recipient key
    id) are authenticated. Returns a JSON-safe dict."""
    s = suite_get(suite)
    if len(dek) != s.key_size:
        raise SealError(f"{suite} content keys are {s.key_size} bytes, got {len(dek)}")
    aad_suite_check(aad, suite)
    recipient = b64d(recipient_enc_public_b64, what="recipient public key", size=32)
    kem = s.kem()
    shared, enc = kem.encap(recipient)
    kek = s.hkdf(shared, length=s.key_size, salt=enc + recipient, info=_wrap_info(suite))
    wrapped: dict[str, Any] = {"v": WRAP_VERSION, "suite": suite, "kem": kem.name, "kid": key_id(recipient),
                               "enc": b64e(enc)}
    nonce = os.urandom(NONCE_SIZE)
    wrapped["nonce"] = b64e(nonce)
    wrapped["ct"] = b64e(s.aead(kek).encrypt(nonce, dek, _wrap_aad(wrapped, aad)))
    return wrapped


def unwrap_key(wrapped: dict[str, Any], recipient_enc_private: X25519PrivateKey, *, aad: bytes) -> bytes:
    """The content key from ``wrapped``; raises Tampered when it was changed, the AAD differs or the key
    is not the recipient's."""
    try:
        if wrapped["v"] != WRAP_VERSION:
            raise SealError(f"unsupported wrapped-key version {wrapped['v']!r}")
        s = suite_get(wrapped["suite"])
        kem = s.kem()
        if wrapped["kem"] != kem.name:
            raise Tampered(f"wrapped key names KEM {wrapped['kem']!r}; {s.name} uses {kem.name}")
        enc = b64d(wrapped["enc"], what="encapsulated key", size=32)
        nonce = b64d(wrapped["nonce"], what="nonce", size=NONCE_SIZE)
        ct = b64d(wrapped["ct"], what="wrapped key")
        kid = wrapped["kid"]
    except (KeyError, TypeError) as exc:
        raise SealError(f"malformed wrapped key (missing {exc})") from None
    except SealError as exc:
        if isinstance(exc, Tampered):
            raise
        raise Tampered(f"malformed wrapped key: {exc}") from None
    recipient = raw_public(recipient_enc_private)
    if kid != key_id(recipient):
        raise Tampered("this key is not the recipient of the wrapped key (key id differs)")
    shared = kem.decap(recipient_enc_private, enc)
    kek = s.hkdf(shared, length=s.key_size, salt=enc + recipient, info=_wrap_info(s.name))
    dek = s.aead(kek).decrypt(nonce, ct, _wrap_aad(wrapped, aad))
    if len(dek) != s.key_size:
        raise Tampered("unwrapped content key has the wrong size")
    return dek


def enc_public_from_b64(public_b64: str) -> bytes:
    """Validate an X25519 public key given as base64; returns the raw bytes."""
    raw = b64d(public_b64, what="public key", size=32)
    x25519_public(raw)
    return raw
