"""The chunked AEAD envelope: round trips, every kind of tampering, streaming in constant memory."""

from __future__ import annotations

import io
import os
import tracemalloc
from typing import IO, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yangguang.seal import (
    SUITES,
    SealError,
    Tampered,
    bid_aad,
    content_key_check,
    content_key_new,
    envelope_header,
    open_stream,
    seal_stream,
)
from yangguang.seal.envelope import HEADER_SIZE

SEG = 64


def aad_for(suite: str, /, **over: object) -> bytes:
    fields: dict = {"tender": "ZJ-2026-001", "lot": 1, "bidder": "91330000MA2AAAAA1X", "version": 1,
                    "part": "files", "suite": suite}
    fields.update(over)
    return bid_aad(**fields)


def seal_bytes(data: bytes, suite: str, *, dek: bytes | None = None, aad: bytes | None = None,
               segment: int = SEG) -> tuple[bytes, bytes, bytes]:
    dek = dek or content_key_new(suite)
    aad = aad if aad is not None else aad_for(suite)
    out = io.BytesIO()
    info = seal_stream(dek, io.BytesIO(data), out, suite=suite, aad=aad, segment_size=segment)
    env = out.getvalue()
    assert info.size == len(env)
    return dek, aad, env


def open_bytes(dek: bytes, env: bytes, aad: bytes) -> bytes:
    out = io.BytesIO()
    open_stream(dek, io.BytesIO(env), out, aad=aad)
    return out.getvalue()


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("size", [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG + 5])
def test_round_trip_sizes(suite: str, size: int) -> None:
    data = os.urandom(size)
    dek, aad, env = seal_bytes(data, suite)
    segments = max(1, -(-size // SEG))
    assert len(env) == HEADER_SIZE + size + 16 * segments
    out = io.BytesIO()
    info = open_stream(dek, io.BytesIO(env), out, aad=aad)
    assert out.getvalue() == data
    assert info.size == size and info.suite == suite and info.segments == segments


@pytest.mark.parametrize("suite", SUITES)
def test_round_trip_default_segment_size(suite: str, tmp_path) -> None:
    data = os.urandom((1 << 20) * 2 + 1)
    src, env, back = tmp_path / "in", tmp_path / "env", tmp_path / "out"
    src.write_bytes(data)
    dek = content_key_new(suite)
    aad = aad_for(suite)
    sealed = seal_stream(dek, src, env, suite=suite, aad=aad)
    assert sealed.segments == 3
    opened = open_stream(dek, env, back, aad=aad, envelope_hash=True)
    assert back.read_bytes() == data
    assert opened.plaintext_sha256 == sealed.plaintext_sha256
    assert opened.sha256 == sealed.sha256
    assert envelope_header(env)["segment_size"] == 1 << 20


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=5 * SEG), suite=st.sampled_from(SUITES), segment=st.integers(16, 100))
def test_round_trip_property(data: bytes, suite: str, segment: int) -> None:
    dek, aad, env = seal_bytes(data, suite, segment=segment)
    assert open_bytes(dek, env, aad) == data


@pytest.mark.parametrize("suite", SUITES)
def test_every_single_bit_flip_is_rejected(suite: str) -> None:
    dek, aad, env = seal_bytes(os.urandom(2 * SEG + 7), suite)
    for pos in range(len(env)):
        for bit in range(8):
            bad = bytearray(env)
            bad[pos] ^= 1 << bit
            with pytest.raises(SealError):
                open_bytes(dek, bytes(bad), aad)


@pytest.mark.parametrize("suite", SUITES)
def test_truncation_extension_and_reordering_are_rejected(suite: str) -> None:
    dek, aad, env = seal_bytes(os.urandom(3 * SEG + 9), suite)
    chunk = SEG + 16
    for cut in range(len(env)):
        with pytest.raises(Tampered):
            open_bytes(dek, env[:cut], aad)
    # dropping the last segment: the one before it was sealed as "not last"
    with pytest.raises(Tampered):
        open_bytes(dek, env[:HEADER_SIZE + 3 * chunk], aad)
    # appending anything, even a copy of a real segment
    for extra in (b"\x00", env[HEADER_SIZE:HEADER_SIZE + chunk], env[-25:]):
        with pytest.raises(Tampered):
            open_bytes(dek, env + extra, aad)
    # swapping the first two segments
    body = env[HEADER_SIZE:]
    swapped = env[:HEADER_SIZE] + body[chunk:2 * chunk] + body[:chunk] + body[2 * chunk:]
    with pytest.raises(Tampered):
        open_bytes(dek, swapped, aad)


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("field,value", [("tender", "ZJ-2026-002"), ("lot", 2), ("bidder", "91330000MA2AAAAA2X"),
                                         ("version", 2), ("part", "price")])
def test_different_aad_is_rejected(suite: str, field: str, value: object) -> None:
    dek, _aad, env = seal_bytes(b"bid" * 50, suite)
    with pytest.raises(Tampered, match="associated data"):
        open_bytes(dek, env, aad_for(suite, **{field: value}))


def test_suite_in_aad_and_wrong_key_are_rejected() -> None:
    dek, aad, env = seal_bytes(b"bid" * 50, "INTL-1")
    with pytest.raises(Tampered):
        open_bytes(dek, env, aad_for("GM-1"))
    with pytest.raises(Tampered, match="key commitment"):
        open_bytes(content_key_new("INTL-1"), env, aad)
    content_key_check(dek, io.BytesIO(env))
    with pytest.raises(Tampered):
        content_key_check(content_key_new("INTL-1"), io.BytesIO(env))
    with pytest.raises(SealError):
        open_bytes(b"short", env, aad)


@settings(max_examples=30, deadline=None)
@given(data=st.binary(min_size=1, max_size=3 * SEG), suite=st.sampled_from(SUITES), flip=st.integers(0, 10**6))
def test_bit_flip_property(data: bytes, suite: str, flip: int) -> None:
    dek, aad, env = seal_bytes(data, suite)
    bad = bytearray(env)
    bad[flip % len(env)] ^= 1 << (flip % 8)
    with pytest.raises(SealError):
        open_bytes(dek, bytes(bad), aad)


def test_failed_open_to_a_path_leaves_no_file(tmp_path) -> None:
    dek, aad, env = seal_bytes(os.urandom(3 * SEG), "INTL-1")
    src, out = tmp_path / "env", tmp_path / "plain"
    src.write_bytes(env[:-1])
    with pytest.raises(Tampered):
        open_stream(dek, src, out, aad=aad)
    assert not out.exists()


def test_header_records_suite_segment_and_aad_hash() -> None:
    from yangguang.seal import aad_hash

    _dek, aad, env = seal_bytes(b"x", "GM-1", segment=4096)
    head = envelope_header(io.BytesIO(env))
    assert head["suite"] == "GM-1" and head["segment_size"] == 4096 and head["aead"] == "SM4-GCM"
    assert head["aad_hash"] == aad_hash(aad, suite="GM-1")
    assert head["header_size"] == HEADER_SIZE == 83 and len(head["key_commitment"]) == 64
    with pytest.raises(Tampered):
        envelope_header(io.BytesIO(b"PK\x03\x04" + bytes(60)))


def test_bid_aad_is_canonical_and_validated() -> None:
    assert aad_for("INTL-1") == (b'{"bidder":"91330000MA2AAAAA1X","domain":"yangguang-bid/v1","lot":1,'
                                 b'"part":"files","suite":"INTL-1","tender":"ZJ-2026-001","version":1}')
    for bad in ({"lot": "1"}, {"version": -1}, {"tender": ""}, {"suite": "ROT13"}, {"lot": True}):
        with pytest.raises(SealError):
            aad_for("INTL-1", **bad)


def test_aad_naming_another_suite_is_refused() -> None:
    with pytest.raises(SealError, match="names suite"):
        seal_bytes(b"x", "INTL-1", aad=aad_for("GM-1"), dek=content_key_new("INTL-1"))


def test_segment_size_limits() -> None:
    with pytest.raises(SealError):
        seal_bytes(b"x", "INTL-1", segment=8)


class _Generated(io.RawIOBase):
    """A readable stream of n pseudo-random bytes produced on the fly, with short reads like a pipe."""

    def __init__(self, n: int) -> None:
        self.left = n
        self.block = os.urandom(50_000)

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        n = min(len(buf), self.left, len(self.block))
        buf[:n] = self.block[:n]
        self.left -= n
        return n


class _Sink(io.RawIOBase):
    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[no-untyped-def]
        self.size += len(b)
        return len(b)


@pytest.mark.parametrize("suite", SUITES)
def test_streaming_uses_constant_memory(suite: str, tmp_path) -> None:
    size = 24 << 20
    dek, aad = content_key_new(suite), aad_for(suite)
    env = tmp_path / "env"
    tracemalloc.start()
    try:
        seal_stream(dek, cast(IO[bytes], _Generated(size)), env, suite=suite, aad=aad, segment_size=1 << 20)
        _, peak_seal = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        sink = _Sink()
        info = open_stream(dek, env, cast(IO[bytes], sink), aad=aad)
        _, peak_open = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size == size == info.size
    assert peak_seal < 8 << 20, peak_seal
    assert peak_open < 8 << 20, peak_open
