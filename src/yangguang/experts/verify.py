"""Verify a published draw audit package: recompute pool hash, commitment, seed, ranking and the final list
after declines and timeouts. Pure Python over the package; optionally cross-checked against the event log
when it is available (``yangguang verify-draw`` in a platform checkout).

Offline (no log), the beacon value is bound only through the ranking it produces: a changed beacon that
happens to give the same order (1 in 6 for three ranked experts) cannot be detected. With the log, the
beacon must be the chain hash of the event after the commitment, so any changed byte fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import algorithm

PACKAGE_KEYS = {"algorithm", "request", "pool", "pool_hash", "commitment", "commit_seq", "beacon", "secret",
                "ranking", "responses", "final"}
BEACON_KIND = "log-next-event-chain-hash"


@dataclass
class Verdict:
    ok: bool
    problems: list[str] = field(default_factory=list)
    final: list[list[int]] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    log_checked: bool = False


# (seq) → (action, payload dict, chain hash) or None when the log has no such event.
LogLookup = Callable[[int], tuple[str, dict[str, Any], str] | None]


def _diff(label: str, expected: list[list[int]], given: Any, codes: list[str]) -> str | None:
    if expected == given:
        return None
    if not isinstance(given, list) or len(given) != len(expected):
        return f"{label}: the package has {len(given) if isinstance(given, list) else 'no'} strata, " \
               f"recomputation gives {len(expected)}"
    for s, (mine, theirs) in enumerate(zip(expected, given, strict=True)):
        if mine == theirs:
            continue
        for position in range(max(len(mine), len(theirs))):
            a = mine[position] if position < len(mine) else None
            b = theirs[position] if position < len(theirs) else None
            if a != b:
                return (f"{label}: stratum {s} ({codes[s] if s < len(codes) else '?'}) differs at position "
                        f"{position + 1}: recomputed expert {a}, package says {b}")
    return f"{label} differs"


def verify_package(raw: bytes, *, log: LogLookup | None = None) -> Verdict:
    problems: list[str] = []
    try:
        package = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Verdict(False, [f"the package is not valid UTF-8 JSON: {exc}"])
    if not isinstance(package, dict):
        return Verdict(False, ["the package is not a JSON object"])
    if algorithm.canonical_json(package) != raw:
        canonical = algorithm.canonical_json(package)
        at = next((i for i, (a, b) in enumerate(zip(canonical, raw, strict=False)) if a != b),
                  min(len(canonical), len(raw)))
        return Verdict(False, [f"the package is not in canonical form (sorted keys, no spaces, UTF-8); the first "
                               f"difference is at byte {at}"])
    keys = set(package)
    if keys != PACKAGE_KEYS:
        return Verdict(False, [f"unexpected fields: missing {sorted(PACKAGE_KEYS - keys)}, "
                               f"extra {sorted(keys - PACKAGE_KEYS)}"])
    try:
        request = int(package["request"])
        pool = package["pool"]
        strata = algorithm.strata_from_snapshot(pool)
        secret = bytes.fromhex(package["secret"])
        beacon = package["beacon"]
        commit_seq = int(package["commit_seq"])
        responses = [algorithm.Response(stratum=int(r["stratum"]), expert=int(r["expert"]), kind=str(r["kind"]))
                     for r in package["responses"]]
    except (KeyError, TypeError, ValueError) as exc:
        return Verdict(False, [f"the package is malformed: {exc!r}"])
    codes = [s.code for s in strata]
    if package["algorithm"] != algorithm.ALGORITHM or pool.get("algorithm") != algorithm.ALGORITHM:
        problems.append(f"unknown algorithm {package['algorithm']!r}; this verifier knows {algorithm.ALGORITHM}")
    if pool.get("request") != request:
        problems.append("the pool snapshot belongs to another request")
    pool_hash = algorithm.pool_hash(pool)
    if pool_hash != package["pool_hash"]:
        problems.append(f"pool hash: recomputed {pool_hash}, package says {package['pool_hash']}")
    commitment = algorithm.seed_commitment(request=request, secret=secret)
    if len(secret) != 32 or commitment != package["commitment"]:
        problems.append(f"the secret does not match the commitment: SM3 gives {commitment}, package says "
                        f"{package['commitment']}")
    if set(beacon) != {"kind", "seq", "value"} or beacon["kind"] != BEACON_KIND:
        problems.append("unknown beacon kind")
    elif beacon["seq"] != commit_seq + 1:
        problems.append(f"the beacon must be the event right after the commitment (#{commit_seq + 1}), "
                        f"package says #{beacon['seq']}")
    log_checked = False
    if log is not None:
        committed = log(commit_seq)
        if committed is None:
            problems.append(f"the event log has no event #{commit_seq}")
        else:
            action, payload, _chain = committed
            if action != "experts.draw.committed" or payload.get("commitment") != package["commitment"] \
                    or payload.get("pool_hash") != package["pool_hash"] or payload.get("request") != request:
                problems.append(f"event #{commit_seq} of the log is not this draw's commitment")
        following = log(commit_seq + 1)
        if following is None:
            problems.append(f"the event log has no event #{commit_seq + 1}")
        elif following[2] != beacon.get("value"):
            problems.append(f"the beacon value is not the chain hash of event #{commit_seq + 1} in the log")
        log_checked = True
    seed = algorithm.seed_derive(request=request, secret=secret, pool_hash=pool_hash, beacon=str(beacon.get("value")))
    ranking = algorithm.rank(seed, strata)
    message = _diff("ranking", ranking, package["ranking"], codes)
    if message:
        problems.append(message)
    try:
        final = algorithm.replay(ranking, [s.count for s in strata], responses)
    except algorithm.ReplayError as exc:
        problems.append(f"declines and timeouts do not replay: {exc}")
        final = []
    if final:
        message = _diff("final list", final, package["final"], codes)
        if message:
            problems.append(message)
    return Verdict(not problems, problems, final, codes, log_checked)
