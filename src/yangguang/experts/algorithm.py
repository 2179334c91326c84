"""The expert draw as a pure function (no Django): pool commitment, seed, ranking, replacements.

Algorithm ``expert-draw/v1`` (after ``security.md`` §2 of the design references):

1. The eligible pool is frozen per stratum (one stratum = one specialty quota, in the request's order) as
   sorted expert ids. ``pool_hash = SM3(canonical JSON of the snapshot)``; the snapshot also holds the
   quotas, the backups and the exclusion counts per rule, so all of them are committed.
2. Before any randomness exists for this draw, the platform draws a 32-byte secret ``r`` and logs
   ``commitment = SM3("expert-draw/v1|commit|" ‖ request ‖ "|" ‖ r)``.
3. The beacon is a value fixed only after the commitment is in the public log: the chain hash of the log
   event that directly follows the commitment event (``beacon_seq = commit_seq + 1``).
4. ``seed = HMAC-SM3(key = r, "expert-draw/v1|seed|" ‖ request ‖ "|" ‖ pool_hash ‖ "|" ‖ beacon)``.
5. For each stratum in order: the eligible ids not taken by an earlier stratum, sorted ascending, are
   shuffled by a partial Fisher–Yates shuffle — for position i = 0, 1, … swap element i with element
   i + u, u uniform in [0, n − i) — until ``count + backups`` are placed; the first ``count`` are the
   primaries and the rest the ordered backups. u comes from a deterministic stream of 64-bit integers,
   block k = HMAC-SM3(seed, "stream|" ‖ code ‖ "|" ‖ k) cut into four big-endian 8-byte words, with
   rejection sampling (a word ≥ 2^64 − (2^64 mod m) is skipped) so u is exactly uniform. Sorting first
   makes the result independent of the order in which the pool was read; the shuffle makes every ordered
   selection equally likely; the cost is a few hashes per seat, not one per eligible expert.
6. Confirmation: primaries are invited; each decline or timeout, in the order it happened, is replaced
   by the next backup of its stratum. The final list is therefore a function of the ranking and the
   ordered responses, which the audit package publishes.

Canonical JSON everywhere: sorted keys, no spaces, UTF-8 (``json.dumps(..., sort_keys=True,
separators=(",", ":"), ensure_ascii=False)``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ALGORITHM = "expert-draw/v1"
_BLOCK = 64  # SM3 block size in bytes (same as SHA-256)


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    return hmac.digest(key, message, "sm3")


@dataclass(frozen=True)
class Stratum:
    """One quota of a draw: ``count`` primaries and ``backups`` ordered backups of one specialty."""

    code: str
    count: int
    backups: int
    ids: tuple[int, ...]  # eligible expert ids, sorted ascending


def pool_snapshot(*, request: int, strata: Sequence[Stratum], exclusions: Mapping[str, int]) -> dict[str, Any]:
    """The frozen pool as published: quotas, sorted eligible ids per stratum and exclusion counts."""
    return {
        "algorithm": ALGORITHM,
        "request": request,
        "strata": [{"code": s.code, "count": s.count, "backups": s.backups, "ids": sorted(s.ids)} for s in strata],
        "exclusions": {rule: int(n) for rule, n in sorted(exclusions.items())},
    }


def pool_hash(snapshot: Mapping[str, Any]) -> str:
    return sm3_hex(canonical_json(snapshot))


def seed_commitment(*, request: int, secret: bytes) -> str:
    return sm3_hex(f"{ALGORITHM}|commit|{request}|".encode() + secret)


def seed_derive(*, request: int, secret: bytes, pool_hash: str, beacon: str) -> bytes:
    return hmac_sm3(secret, f"{ALGORITHM}|seed|{request}|{pool_hash}|{beacon}".encode())


class _Stream:
    """Uniform integers from HMAC-SM3(seed, "stream|" ‖ code ‖ "|" ‖ k), k = 0, 1, …"""

    def __init__(self, seed: bytes, code: str) -> None:
        self._seed = seed
        self._prefix = f"stream|{code}|".encode()
        self._block = 0
        self._words: list[int] = []

    def _word(self) -> int:
        if not self._words:
            digest = hmac_sm3(self._seed, self._prefix + str(self._block).encode())
            self._block += 1
            self._words = [int.from_bytes(digest[i:i + 8], "big") for i in range(24, -1, -8)]
        return self._words.pop()

    def below(self, m: int) -> int:
        """Uniform in [0, m)."""
        limit = (1 << 64) - ((1 << 64) % m)
        while True:
            word = self._word()
            if word < limit:
                return word % m


def rank(seed: bytes, strata: Sequence[Stratum]) -> list[list[int]]:
    """Primaries followed by ordered backups, per stratum, in the strata's order."""
    taken: set[int] = set()
    result: list[list[int]] = []
    for stratum in strata:
        ids = sorted(i for i in set(stratum.ids) if i not in taken)
        stream = _Stream(seed, stratum.code)
        seats = min(len(ids), stratum.count + stratum.backups)
        for i in range(seats):
            j = i + stream.below(len(ids) - i)
            ids[i], ids[j] = ids[j], ids[i]
        chosen = ids[:seats]
        taken.update(chosen)
        result.append(chosen)
    return result


def strata_from_snapshot(snapshot: Mapping[str, Any]) -> list[Stratum]:
    return [Stratum(code=str(s["code"]), count=int(s["count"]), backups=int(s["backups"]),
                    ids=tuple(int(i) for i in s["ids"])) for s in snapshot["strata"]]


@dataclass(frozen=True)
class Response:
    """A decline or timeout of an invited expert, in the order it happened."""

    stratum: int
    expert: int
    kind: str  # "declined" or "timed_out"


RESPONSE_KINDS = ("declined", "timed_out")


class ReplayError(ValueError):
    pass


def replay(ranking: Sequence[Sequence[int]], counts: Sequence[int], responses: Iterable[Response]
           ) -> list[list[int]]:
    """The final list per stratum after the declines/timeouts: each one frees its seat for the next unused
    backup of the stratum. Raises ReplayError if a response names someone who was not invited."""
    invited = [list(r[:c]) for r, c in zip(ranking, counts, strict=True)]
    seated = [list(r[:c]) for r, c in zip(ranking, counts, strict=True)]
    next_backup = list(counts)
    for position, response in enumerate(responses, start=1):
        if response.kind not in RESPONSE_KINDS:
            raise ReplayError(f"response {position}: unknown kind {response.kind!r}")
        if not 0 <= response.stratum < len(ranking):
            raise ReplayError(f"response {position}: no stratum {response.stratum}")
        s = response.stratum
        if response.expert not in seated[s]:
            raise ReplayError(f"response {position}: expert {response.expert} was not an invited, "
                              f"unanswered member of stratum {s}")
        index = seated[s].index(response.expert)
        if next_backup[s] < len(ranking[s]):
            replacement = ranking[s][next_backup[s]]
            next_backup[s] += 1
            seated[s][index] = replacement
            invited[s].append(replacement)
        else:
            seated[s].pop(index)
    return seated
