"""The sealed envelope: an 83-byte header and STREAM-style chunked AEAD segments.

Layout (all integers big-endian)::

    offset size  field
         0    6  magic b"YGSEAL"
         6    1  format version (1)
         7    1  suite code (1 = INTL-1, 2 = GM-1)
         8    4  segment size S (plaintext bytes per segment)
        12    7  nonce prefix (random per envelope)
        19   32  hash of the associated data (SHA-256 for INTL-1, SM3 for GM-1)
        51   32  key commitment = hash("yangguang-seal/key-commitment/v1" ‖ content key ‖ bytes 0..51)
        83       segments: each = AEAD(ciphertext ‖ 16-byte tag) of S plaintext bytes, the last one 0..S bytes

Segment i is sealed with nonce = prefix(7) ‖ i (uint32) ‖ last (0x00 or 0x01) and associated data =
header(83) ‖ aad, so a changed header, a truncation, a reordering or an appended segment fails a tag.
An empty plaintext is one empty final segment (just a tag).

The key commitment makes the envelope open under one content key only: GCM by itself is not
key-committing, and a bidder could otherwise craft a ciphertext that decrypts (validly) to two different
bids under two keys and choose at the opening which key to hand over.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from .errors import SealError, Tampered
from .keys import aad_suite_check, canonical_json
from .suites import SUITES, TAG_SIZE, Suite, suite_by_code, suite_get

MAGIC = b"YGSEAL"
FORMAT_VERSION = 1
HEADER_SIZE = 83
_COMMIT_DOMAIN = b"yangguang-seal/key-commitment/v1"
PREFIX_SIZE = 7
DEFAULT_SEGMENT = 1 << 20
MIN_SEGMENT = 16
MAX_SEGMENT = 64 << 20
MAX_SEGMENTS = 1 << 32
_HEADER = struct.Struct(">6sBBI7s32s32s")
assert _HEADER.size == HEADER_SIZE

Source = IO[bytes] | io.RawIOBase | io.BufferedIOBase | str | os.PathLike[str]


@dataclass(frozen=True)
class SealInfo:
    sha256: str  # SHA-256 (hex) of the whole envelope as written (what the upload is checked against)
    size: int  # envelope size in bytes
    plaintext_sha256: str = ""
    plaintext_size: int = 0
    segments: int = 0


@dataclass(frozen=True)
class OpenInfo:
    plaintext_sha256: str
    size: int  # plaintext size in bytes
    suite: str
    sha256: str = ""  # SHA-256 of the envelope read
    segments: int = 0


def bid_aad(*, tender: str, lot: int, bidder: str, version: int, part: str, suite: str) -> bytes:
    """The canonical associated data of one sealed part of one bid (bound into every segment and wrap)."""
    for name, value in (("tender", tender), ("bidder", bidder), ("part", part)):
        if not isinstance(value, str) or not value:
            raise SealError(f"{name} must be a non-empty string")
    for name, number in (("lot", lot), ("version", version)):
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise SealError(f"{name} must be a non-negative integer")
    if suite not in SUITES:
        suite_get(suite)
    return canonical_json({"bidder": bidder, "domain": "yangguang-bid/v1", "lot": lot, "part": part,
                           "suite": suite, "tender": tender, "version": version})


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


@contextmanager
def _opened(obj: Source, mode: str) -> Iterator[IO[bytes]]:
    """A file object for a path (closed afterwards) or the given stream. An output path is removed again
    when the operation fails, so no partial or unauthenticated output is left behind under that name."""
    if isinstance(obj, str | os.PathLike):
        path = Path(obj)
        try:
            with path.open(mode) as fh:
                yield fh  # type: ignore[misc]
        except BaseException:
            if "w" in mode:
                path.unlink(missing_ok=True)
            raise
    else:
        yield cast(IO[bytes], obj)


def _read_full(fh: IO[bytes], n: int) -> bytes:
    """Read exactly n bytes unless the stream ends first (pipes may return short reads)."""
    data = fh.read(n)
    if data is None:
        data = b""
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = fh.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _key_commitment(s: Suite, dek: bytes, head: bytes) -> bytes:
    return s.hash(_COMMIT_DOMAIN + dek + head[:HEADER_SIZE - 32])


def _readinto_full(fh: IO[bytes], buf: bytearray) -> int:
    """Fill ``buf`` from the stream unless it ends first; returns the number of bytes read."""
    view = memoryview(buf)
    got = 0
    readinto = getattr(fh, "readinto", None)
    while got < len(buf):
        if readinto is not None:
            n = readinto(view[got:])
        else:
            data = fh.read(len(buf) - got)
            n = len(data) if data else 0
            view[got:got + n] = data or b""
        if not n:
            break
        got += n
    return got


def _header_parse(raw: bytes) -> tuple[Suite, int, bytes, bytes]:
    if len(raw) < HEADER_SIZE:
        raise Tampered("not a sealed envelope (too short for the header)")
    magic, version, code, segment, prefix, aad_hash, _commit = _HEADER.unpack(raw[:HEADER_SIZE])
    if magic != MAGIC:
        raise Tampered("not a sealed envelope (bad magic)")
    if version != FORMAT_VERSION:
        raise Tampered(f"unsupported envelope version {version}")
    try:
        suite = suite_by_code(code)
    except SealError:
        raise Tampered(f"unknown suite code {code} in the envelope header") from None
    if not MIN_SEGMENT <= segment <= MAX_SEGMENT:
        raise Tampered(f"segment size {segment} out of range")
    return suite, segment, prefix, aad_hash


def seal_stream(dek: bytes, src: Source, dst: Source, *, suite: str, aad: bytes,
                segment_size: int = DEFAULT_SEGMENT) -> SealInfo:
    """Encrypt ``src`` into the envelope format on ``dst`` in constant memory (two segments)."""
    s = suite_get(suite)
    if not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
        raise SealError(f"segment size must be between {MIN_SEGMENT} and {MAX_SEGMENT} bytes")
    aead = s.aead(dek)
    aad_suite_check(aad, suite)
    prefix = os.urandom(PREFIX_SIZE)
    head = _HEADER.pack(MAGIC, FORMAT_VERSION, s.code, segment_size, prefix, s.hash(aad), bytes(32))
    header = head[:HEADER_SIZE - 32] + _key_commitment(s, dek, head)
    seg_aad = header + aad
    out_hash = hashlib.sha256(header)
    in_hash = hashlib.sha256()
    size = HEADER_SIZE
    plain = 0
    with _opened(src, "rb") as fin, _opened(dst, "wb") as fout:
        fout.write(header)
        cur = _read_full(fin, segment_size)
        index = 0
        while True:
            nxt = _read_full(fin, segment_size) if len(cur) == segment_size else b""
            last = not nxt
            if index >= MAX_SEGMENTS:
                raise SealError("input too large for one envelope")
            sealed = aead.encrypt(_nonce(prefix, index, last), cur, seg_aad)
            fout.write(sealed)
            out_hash.update(sealed)
            in_hash.update(cur)
            size += len(sealed)
            plain += len(cur)
            index += 1
            if last:
                break
            cur = nxt
        fout.flush()
    return SealInfo(sha256=out_hash.hexdigest(), size=size, plaintext_sha256=in_hash.hexdigest(),
                    plaintext_size=plain, segments=index)


def open_stream(dek: bytes, src: Source, dst: Source, *, aad: bytes, plaintext_hash: bool = True,
                envelope_hash: bool = False) -> OpenInfo:
    """Decrypt an envelope from ``src`` onto ``dst``; each segment is authenticated before it is written.

    Raises Tampered on any change, truncation, reordering, extension, wrong key or wrong AAD. Plaintext
    written before a failure is unauthenticated as a whole: when ``dst`` is a path the file is removed, a
    stream given as ``dst`` must be discarded by the caller.
    ``plaintext_hash`` computes ``plaintext_sha256`` (on by default; SHA-256 runs several times slower than
    AES-GCM with AES-NI, so it is most of the cost); ``envelope_hash`` also hashes the envelope as read.
    """
    with _opened(src, "rb") as fin, _opened(dst, "wb") as fout:
        header = _read_full(fin, HEADER_SIZE)
        s, segment, prefix, aad_hash = _header_parse(header)
        if s.hash(aad) != aad_hash:
            raise Tampered("the associated data (tender, lot, bidder, version, part, suite) does not match "
                           "the envelope")
        if len(dek) != s.key_size or not hmac.compare_digest(_key_commitment(s, dek, header), header[-32:]):
            raise Tampered("wrong content key for this envelope (key commitment differs)")
        aead = s.aead(dek)
        seg_aad = header + aad
        chunk = segment + TAG_SIZE
        env_hash = hashlib.sha256(header) if envelope_hash else None
        out_hash = hashlib.sha256() if plaintext_hash else None
        size = 0
        index = 0
        bufs = (bytearray(chunk), bytearray(chunk))
        got = _readinto_full(fin, bufs[0])
        if got < TAG_SIZE:
            raise Tampered("envelope truncated (no final segment)")
        while True:
            cur = memoryview(bufs[index & 1])[:got]
            nxt_got = _readinto_full(fin, bufs[(index + 1) & 1])
            last = nxt_got == 0
            if index >= MAX_SEGMENTS:
                raise Tampered("too many segments")
            plain = aead.decrypt(_nonce(prefix, index, last), cur, seg_aad)
            if env_hash is not None:
                env_hash.update(cur)
            if out_hash is not None:
                out_hash.update(plain)
            fout.write(plain)
            size += len(plain)
            index += 1
            if last:
                break
            if nxt_got < TAG_SIZE:
                raise Tampered("envelope truncated inside a segment")
            got = nxt_got
        fout.flush()
    return OpenInfo(plaintext_sha256=out_hash.hexdigest() if out_hash else "", size=size, suite=s.name,
                    sha256=env_hash.hexdigest() if env_hash else "", segments=index)


def content_key_check(dek: bytes, src: Source) -> None:
    """Check a handed-over content key against the envelope's key commitment without decrypting anything;
    raises Tampered when it is not the key the envelope was sealed with."""
    with _opened(src, "rb") as fin:
        header = _read_full(fin, HEADER_SIZE)
    s, *_ = _header_parse(header)
    if len(dek) != s.key_size or not hmac.compare_digest(_key_commitment(s, dek, header), header[-32:]):
        raise Tampered("wrong content key for this envelope (key commitment differs)")


def envelope_header(src: Source) -> dict[str, Any]:
    """The envelope's header fields, read without a key (and without reading past the header)."""
    with _opened(src, "rb") as fin:
        raw = _read_full(fin, HEADER_SIZE)
    s, segment, prefix, aad_hash = _header_parse(raw)
    return {"format": "YGSEAL", "version": FORMAT_VERSION, "suite": s.name, "aead": s.aead_name,
            "hash": s.hash_name, "segment_size": segment, "nonce_prefix": prefix.hex(),
            "aad_hash": aad_hash.hex(), "key_commitment": raw[HEADER_SIZE - 32:HEADER_SIZE].hex(),
            "header_size": HEADER_SIZE}


def aad_hash(aad: bytes, *, suite: str) -> str:
    """The hex hash of ``aad`` as recorded in an envelope header of ``suite`` (to compare without a key)."""
    return suite_get(suite).hash(aad).hex()
