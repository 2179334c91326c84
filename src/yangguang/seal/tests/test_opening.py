"""The k-of-n opening key: split, commitments, recovery, bad and missing shares, share files."""

# ruff: noqa: S106 - test passphrases

from __future__ import annotations

import itertools
import os

import pytest
from Crypto.Protocol.SecretSharing import Shamir
from hypothesis import given, settings
from hypothesis import strategies as st

from yangguang.seal import (
    SUITES,
    BadShare,
    BidderKeys,
    SealError,
    Share,
    Tampered,
    content_key_new,
    opening_key_create,
    opening_key_info,
    opening_key_recover,
    share_commitment,
    share_export,
    share_import,
    share_verify,
    unwrap_key,
    wrap_key,
)
from yangguang.seal.keys import b64e
from yangguang.seal.suites import raw_public

CEREMONIES = {(suite, k, n): opening_key_create(tender="ZJ-2026-007", suite=suite, k=k, n=n)
              for suite in SUITES for k, n in ((2, 3), (3, 5))}


def recover(c, shares, commitments=None):  # type: ignore[no-untyped-def]
    return opening_key_recover(tender=c.tender, suite=c.suite, encrypted_private=c.encrypted_private,
                               shares=shares, commitments=commitments or c.commitments)


@pytest.mark.parametrize("key", list(CEREMONIES))
def test_every_k_subset_reconstructs_and_opens_a_wrapped_key(key) -> None:  # type: ignore[no-untyped-def]
    c = CEREMONIES[key]
    suite = c.suite
    assert (c.k, c.n, len(c.shares), len(c.commitments)) == (key[1], key[2], key[2], key[2])
    assert opening_key_info(c.encrypted_private) == {"suite": suite, "k": c.k, "n": c.n,
                                                     "public_key_b64": c.public_key_b64}
    dek = content_key_new(suite)
    wrapped = wrap_key(dek, c.public_key_b64, suite=suite, aad=b"bid")
    for size in range(c.k, c.n + 1):
        for subset in itertools.combinations(c.shares, size):
            private = recover(c, list(subset))
            assert b64e(raw_public(private)) == c.public_key_b64
            assert unwrap_key(wrapped, private, aad=b"bid") == dek


@pytest.mark.parametrize("key", list(CEREMONIES))
def test_fewer_than_k_shares_fail_clearly(key) -> None:  # type: ignore[no-untyped-def]
    c = CEREMONIES[key]
    for subset in itertools.combinations(c.shares, c.k - 1):
        with pytest.raises(SealError, match=f"{c.k} shares are needed"):
            recover(c, list(subset))
    # duplicates do not count twice
    with pytest.raises(SealError, match="needed"):
        recover(c, [c.shares[0]] * c.k)


@pytest.mark.parametrize("suite", SUITES)
def test_k_minus_1_shares_plus_a_forged_one_give_a_kek_that_fails_the_tag(suite: str) -> None:
    """Even bypassing the commitments, k−1 real shares and a guessed one yield a wrong KEK."""
    c = CEREMONIES[(suite, 2, 3)]
    forged = Share(index=3, value=os.urandom(16))
    commitments = [*c.commitments[:2], share_commitment(forged, tender=c.tender, suite=suite)]
    with pytest.raises(Tampered):
        recover(c, [c.shares[0], forged], commitments)
    # and Shamir itself gives no error, just another secret: the AEAD tag is what catches it
    assert len(Shamir.combine([(1, c.shares[0].value), (3, forged.value)], ssss=False)) == 16


@settings(max_examples=25, deadline=None)
@given(key=st.sampled_from(list(CEREMONIES)), which=st.integers(0, 4), bit=st.integers(0, 127))
def test_a_corrupted_share_is_named(key, which: int, bit: int) -> None:  # type: ignore[no-untyped-def]
    c = CEREMONIES[key]
    which %= c.n
    shares = list(c.shares)
    value = bytearray(shares[which].value)
    value[bit // 8] ^= 1 << (bit % 8)
    shares[which] = Share(index=shares[which].index, value=bytes(value))
    assert not share_verify(shares[which], tender=c.tender, suite=c.suite, commitments=c.commitments)
    with pytest.raises(BadShare) as err:
        recover(c, shares)
    assert err.value.index == shares[which].index


def test_a_share_of_another_tender_or_index_is_bad() -> None:
    c = CEREMONIES[("INTL-1", 2, 3)]
    other = opening_key_create(tender="ZJ-2026-008", suite="INTL-1", k=2, n=3)
    with pytest.raises(BadShare) as err:
        recover(c, [c.shares[0], other.shares[1]])
    assert err.value.index == 2
    with pytest.raises(BadShare):
        recover(c, [c.shares[0], Share(index=2, value=c.shares[2].value)])
    with pytest.raises(BadShare):
        recover(c, [c.shares[0], Share(index=9, value=c.shares[1].value)])


def test_changed_encrypted_private_key_is_detected() -> None:
    c = CEREMONIES[("GM-1", 2, 3)]
    for pos in range(8, len(c.encrypted_private)):
        bad = bytearray(c.encrypted_private)
        bad[pos] ^= 1
        with pytest.raises(SealError):
            opening_key_recover(tender=c.tender, suite=c.suite, encrypted_private=bytes(bad), shares=c.shares,
                                commitments=c.commitments)
    with pytest.raises(SealError):
        opening_key_recover(tender=c.tender, suite="INTL-1", encrypted_private=c.encrypted_private,
                            shares=c.shares, commitments=c.commitments)
    with pytest.raises(SealError):
        opening_key_recover(tender="ZJ-OTHER", suite=c.suite, encrypted_private=c.encrypted_private,
                            shares=c.shares, commitments=c.commitments)


def test_k_and_n_are_validated() -> None:
    for k, n in ((1, 3), (4, 3), (2, 256), (0, 0)):
        with pytest.raises(SealError):
            opening_key_create(tender="T", suite="INTL-1", k=k, n=n)


def test_share_files_plain_and_protected() -> None:
    c = CEREMONIES[("INTL-1", 2, 3)]
    share = c.shares[1]
    text = share_export(share, tender=c.tender)
    assert text.startswith("-----BEGIN YANGGUANG OPENING KEY SHARE-----")
    assert share_import(text) == share
    assert share_import(text, tender=c.tender) == share
    with pytest.raises(BadShare):
        share_import(text, tender="ZJ-OTHER")
    protected = share_export(share, tender=c.tender, passphrase="中文口令 passphrase")
    assert b64e(share.value) not in protected
    assert share_import(protected, passphrase="中文口令 passphrase") == share
    with pytest.raises(BadShare, match="wrong passphrase") as err:
        share_import(protected, passphrase="wrong")
    assert err.value.index == 2
    with pytest.raises(BadShare, match="passphrase"):
        share_import(protected)
    with pytest.raises(SealError):
        share_import("hello")
    # a changed character in the armoured body is detected
    lines = text.splitlines()
    body_line = next(i for i, ln in enumerate(lines) if ln and ":" not in ln and not ln.startswith("-----"))
    line = lines[body_line]
    for pos in range(0, len(line), 7):
        swapped = line[:pos] + ("A" if line[pos] != "A" else "B") + line[pos + 1:]
        damaged = "\n".join([*lines[:body_line], swapped, *lines[body_line + 1:]])
        with pytest.raises(SealError):
            assert share_import(damaged) == share


def test_bidder_keys_are_independent_of_the_opening_key() -> None:
    keys = BidderKeys.generate()
    c = CEREMONIES[("INTL-1", 2, 3)]
    assert keys.public_bundle()["enc"] != c.public_key_b64


@settings(max_examples=15, deadline=None)
@given(data=st.data(), k=st.integers(2, 5), extra=st.integers(0, 3), suite=st.sampled_from(SUITES))
def test_random_k_of_n(data, k: int, extra: int, suite: str) -> None:  # type: ignore[no-untyped-def]
    n = k + extra
    c = opening_key_create(tender="ZJ-H", suite=suite, k=k, n=n)
    chosen = data.draw(st.lists(st.sampled_from(c.shares), min_size=k, max_size=n, unique_by=lambda s: s.index))
    assert b64e(raw_public(recover(c, chosen))) == c.public_key_b64
    with pytest.raises(SealError, match="needed"):
        recover(c, chosen[:k - 1])
