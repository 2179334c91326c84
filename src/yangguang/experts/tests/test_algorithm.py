"""The draw algorithm as a pure function: determinism, order independence, uniformity, replacements."""

from __future__ import annotations

import hashlib
import hmac
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from yangguang.experts import algorithm
from yangguang.experts.algorithm import Response, Stratum

SEED = bytes(range(32))


def test_sm3_known_answer() -> None:
    # GB/T 32905 example: SM3("abc").
    assert algorithm.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert hashlib.new("sm3", b"abc").hexdigest() == algorithm.sm3_hex(b"abc")


def test_rank_is_a_partial_fisher_yates_shuffle_of_the_sorted_ids() -> None:
    """Restated independently: the stream's words from HMAC-SM3 blocks, rejection sampling, swaps."""
    ids = list(range(1, 30))
    words: list[int] = []
    for block in range(4):
        digest = hmac.digest(SEED, f"stream|A01|{block}".encode(), "sm3")
        words += [int.from_bytes(digest[k:k + 8], "big") for k in range(0, 32, 8)]
    expected = sorted(ids)
    for i in range(5):
        m = len(expected) - i
        while words[0] >= (1 << 64) - ((1 << 64) % m):
            words.pop(0)
        j = i + words.pop(0) % m
        expected[i], expected[j] = expected[j], expected[i]
    assert algorithm.rank(SEED, [Stratum("A01", 3, 2, tuple(reversed(ids)))]) == [expected[:5]]


pools = st.lists(st.integers(min_value=1, max_value=10_000), min_size=6, max_size=60, unique=True)


@settings(max_examples=60, deadline=None)
@given(ids=pools, seed=st.binary(min_size=32, max_size=32), shuffle_seed=st.integers())
def test_same_inputs_same_draw_and_pool_order_does_not_matter(ids: list[int], seed: bytes, shuffle_seed: int) -> None:
    strata = [Stratum("A01", 2, 1, tuple(ids)), Stratum("B01", 2, 1, tuple(ids[: len(ids) // 2 + 3]))]
    shuffled = list(ids)
    random.Random(shuffle_seed).shuffle(shuffled)  # noqa: S311 - test input order
    reordered = [Stratum("A01", 2, 1, tuple(shuffled)), Stratum("B01", 2, 1, tuple(reversed(ids[: len(ids) // 2 + 3])))]
    first = algorithm.rank(seed, strata)
    assert first == algorithm.rank(seed, strata)
    assert first == algorithm.rank(seed, reordered)
    # No one twice, everyone from their stratum.
    chosen = [i for stratum in first for i in stratum]
    assert len(chosen) == len(set(chosen))
    assert set(first[0]) <= set(ids) and set(first[1]) <= set(ids[: len(ids) // 2 + 3])
    assert len(first[0]) == 3


@settings(max_examples=40, deadline=None)
@given(ids=pools, seed=st.binary(min_size=32, max_size=32))
def test_snapshot_hash_is_order_free_and_any_change_changes_it(ids: list[int], seed: bytes) -> None:
    base = algorithm.pool_snapshot(request=7, strata=[Stratum("A01", 3, 2, tuple(ids))], exclusions={"employer": 2})
    again = algorithm.pool_snapshot(request=7, strata=[Stratum("A01", 3, 2, tuple(reversed(ids)))],
                                    exclusions={"employer": 2})
    assert algorithm.pool_hash(base) == algorithm.pool_hash(again)
    fewer = algorithm.pool_snapshot(request=7, strata=[Stratum("A01", 3, 2, tuple(ids[1:]))],
                                    exclusions={"employer": 2})
    assert algorithm.pool_hash(base) != algorithm.pool_hash(fewer)
    one = algorithm.seed_derive(request=7, secret=seed, pool_hash=algorithm.pool_hash(base), beacon="00")
    two = algorithm.seed_derive(request=7, secret=seed, pool_hash=algorithm.pool_hash(base), beacon="01")
    assert one != two


def test_frequencies_are_uniform_chi_square() -> None:
    """2,000 draws of 3 from 20 with fixed seeds: each expert's first-seat frequency passes a chi-square test at
    the 0.001 level (critical value for 19 degrees of freedom: 43.82). Deterministic, so it cannot flake; a
    sampler biased towards low ids or low scores fails it (see the next test)."""
    ids = tuple(range(100, 120))
    counts = dict.fromkeys(ids, 0)
    draws = 2000
    for n in range(draws):
        seed = hashlib.sha256(f"chi-square-{n}".encode()).digest()
        for expert in algorithm.rank(seed, [Stratum("A01", 3, 0, ids)])[0]:
            counts[expert] += 1
    expected = draws * 3 / len(ids)
    chi_square = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi_square < 43.82, (chi_square, counts)


def test_the_chi_square_test_catches_a_biased_sampler() -> None:
    ids = list(range(100, 120))
    counts = dict.fromkeys(ids, 0)
    for n in range(2000):
        rng = random.Random(n)  # noqa: S311 - a deliberately biased sampler
        pick = sorted(rng.sample(ids, 4))[:3]  # prefers low ids
        for expert in pick:
            counts[expert] += 1
    expected = 2000 * 3 / len(ids)
    assert sum((c - expected) ** 2 / expected for c in counts.values()) > 43.82


def test_replay_moves_to_the_next_backup_in_order() -> None:
    ranking = [[1, 2, 3, 4, 5], [10, 11, 12]]
    final = algorithm.replay(ranking, [2, 1], [Response(0, 2, "declined"), Response(1, 10, "timed_out"),
                                                 Response(0, 3, "declined")])
    assert final == [[1, 4], [11]]


def test_replay_refuses_a_response_of_someone_not_invited() -> None:
    try:
        algorithm.replay([[1, 2, 3]], [1], [Response(0, 3, "declined")])
    except algorithm.ReplayError as exc:
        assert "not an invited" in str(exc)
    else:
        raise AssertionError("a backup that was never called cannot decline")
