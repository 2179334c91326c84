"""The two cipher suites: hash, key derivation, content AEAD and key agreement, behind one interface each.

INTL-1: X25519 + HKDF-SHA256 + AES-256-GCM, SHA-256.
GM-1:   SM4-128-GCM + SM3 + HKDF-SM3; key agreement X25519 (upstream ``cryptography`` has no SM2 — the
        ``Kem`` interface is where an SM2 key encapsulation would replace it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import SealError, Tampered

SUITES: tuple[str, ...] = ("INTL-1", "GM-1")
NONCE_SIZE = 12
TAG_SIZE = 16

Buffer = bytes | bytearray | memoryview


class Aead(Protocol):
    def encrypt(self, nonce: bytes, data: Buffer, aad: bytes) -> bytes: ...  # ciphertext ‖ tag

    def decrypt(self, nonce: bytes, data: Buffer, aad: bytes) -> bytes: ...  # raises Tampered


class _AesGcm:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, nonce: bytes, data: Buffer, aad: bytes) -> bytes:
        return self._aead.encrypt(nonce, data, aad)

    def decrypt(self, nonce: bytes, data: Buffer, aad: bytes) -> bytes:
        try:
            return self._aead.decrypt(nonce, data, aad)
        except InvalidTag:
            raise Tampered("authentication failed (AES-256-GCM tag)") from None


class _Sm4Gcm:
    """SM4-GCM through the streaming ``Cipher`` API (``cryptography`` has no one-shot SM4 AEAD class)."""

    def __init__(self, key: bytes) -> None:
        self._algorithm = algorithms.SM4(key)

    def encrypt(self, nonce: bytes, data: Buffer, aad: bytes) -> bytes:
        enc = Cipher(self._algorithm, modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        out = enc.update(data) + enc.finalize()
        return out + enc.tag

    def decrypt(self, nonce: bytes, data: Buffer, aad: bytes) -> bytes:
        view = memoryview(data)
        if len(view) < TAG_SIZE:
            raise Tampered("authentication failed (SM4-GCM: shorter than a tag)")
        dec = Cipher(self._algorithm, modes.GCM(nonce, bytes(view[-TAG_SIZE:]))).decryptor()
        dec.authenticate_additional_data(aad)
        out = dec.update(view[:-TAG_SIZE])
        try:
            return out + dec.finalize()
        except InvalidTag:
            raise Tampered("authentication failed (SM4-GCM tag)") from None


class Kem(Protocol):
    """Key encapsulation to a recipient public key: ``encap`` → (shared secret, encapsulation)."""

    name: str

    def encap(self, public_raw: bytes) -> tuple[bytes, bytes]: ...

    def decap(self, private: X25519PrivateKey, enc: bytes) -> bytes: ...


class X25519Kem:
    name = "X25519"

    def encap(self, public_raw: bytes) -> tuple[bytes, bytes]:
        recipient = x25519_public(public_raw)
        eph = X25519PrivateKey.generate()
        try:
            shared = eph.exchange(recipient)
        except ValueError:
            raise SealError("invalid recipient public key (low-order point)") from None
        return shared, raw_public(eph.public_key())

    def decap(self, private: X25519PrivateKey, enc: bytes) -> bytes:
        try:
            return private.exchange(x25519_public(enc))
        except (ValueError, SealError):
            raise Tampered("invalid key encapsulation") from None


def x25519_public(raw: bytes) -> X25519PublicKey:
    if len(raw) != 32:
        raise SealError("an X25519 public key is 32 bytes")
    return X25519PublicKey.from_public_bytes(raw)


def raw_public(key: X25519PublicKey | X25519PrivateKey) -> bytes:
    pub = key.public_key() if isinstance(key, X25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class Hasher(Protocol):
    def update(self, data: Buffer, /) -> None: ...

    def digest(self) -> bytes: ...


class _CryptographyHasher:
    """SM3 through ``cryptography`` (hashlib's "sm3" depends on the system OpenSSL build)."""

    def __init__(self, algorithm: hashes.HashAlgorithm) -> None:
        self._h = hashes.Hash(algorithm)

    def update(self, data: Buffer, /) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        return self._h.copy().finalize()


@dataclass(frozen=True)
class Suite:
    name: str
    code: int  # the byte recorded in envelopes
    key_size: int  # content key / AEAD key length in bytes
    hash_name: str  # hashlib name
    aead_name: str

    def hash(self, data: bytes) -> bytes:
        h = self.hasher()
        h.update(data)
        return h.digest()

    def hasher(self) -> Hasher:
        return hashlib.sha256() if self.hash_name == "sha256" else _CryptographyHasher(hashes.SM3())

    def hash_algorithm(self) -> hashes.HashAlgorithm:
        return hashes.SHA256() if self.hash_name == "sha256" else hashes.SM3()

    def hkdf(self, ikm: bytes, *, length: int, salt: bytes | None, info: bytes) -> bytes:
        return HKDF(algorithm=self.hash_algorithm(), length=length, salt=salt, info=info).derive(ikm)

    def aead(self, key: bytes) -> Aead:
        if len(key) != self.key_size:
            raise SealError(f"{self.name} needs a {self.key_size}-byte key, got {len(key)} bytes")
        return _AesGcm(key) if self.name == "INTL-1" else _Sm4Gcm(key)

    def kem(self) -> Kem:
        return X25519Kem()


_BY_NAME = {
    "INTL-1": Suite("INTL-1", 1, 32, "sha256", "AES-256-GCM"),
    "GM-1": Suite("GM-1", 2, 16, "sm3", "SM4-GCM"),
}
_BY_CODE = {s.code: s for s in _BY_NAME.values()}


def suite_get(name: str) -> Suite:
    try:
        return _BY_NAME[name]
    except (KeyError, TypeError):
        raise SealError(f"unknown suite {name!r}; expected one of {', '.join(SUITES)}") from None


def suite_by_code(code: int) -> Suite:
    try:
        return _BY_CODE[code]
    except KeyError:
        raise SealError(f"unknown suite code {code}") from None
