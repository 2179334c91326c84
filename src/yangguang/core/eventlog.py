"""The event log: append, checkpoint, prove, verify.

Every service function calls :func:`event_append` inside its transaction, so no state change commits
without its event and no event survives a rolled-back change. Appends are serialised (PostgreSQL advisory
lock; SQLite's IMMEDIATE transaction already holds the write lock) so ``seq`` is gap-free and the chain
has one order. The canonical entry is JSON with sorted keys, no spaces, UTF-8 — the form a third party
re-hashes to check a leaf.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from . import merkle
from .dbclock import db_now
from .models import Checkpoint, Event, MerkleNode
from .signing import platform_key

GENESIS_CHAIN = "0" * 64
# Advisory-lock key for the log (PostgreSQL): any fixed 64-bit number; "YGLOG" in ASCII.
_LOG_LOCK_KEY = 0x59474C4F47
_CHECKPOINT_LOCK_KEY = _LOG_LOCK_KEY + 1


class LogIntegrityError(Exception):
    pass


def actor_ref(user: Any) -> str:
    """'user:<id>' for a signed-in user, 'anonymous' for the public, or a given system name."""
    if isinstance(user, str):
        return user
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return f"user:{user.pk}"


def canonical_entry(
    *, seq: int, action: str, actor: str, object_type: str, object_id: str, payload: Any, created_at: datetime
) -> bytes:
    entry = {
        "seq": seq,
        "action": action,
        "actor": actor,
        "object": f"{object_type}:{object_id}",
        "payload": payload,
        "time": created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _chain(prev_chain_hex: str, leaf: bytes) -> str:
    import hashlib

    return hashlib.sha256(bytes.fromhex(prev_chain_hex) + leaf).hexdigest()


def _lock(key: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def event_append(*, action: str, actor: Any, obj: Any = None, object_type: str = "", object_id: Any = "",
                 payload: dict[str, Any] | None = None) -> Event:
    """Append one event inside the caller's transaction. ``obj`` (a model instance) names the object."""
    if not connection.in_atomic_block:
        raise RuntimeError("event_append must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    payload = payload or {}
    _lock(_LOG_LOCK_KEY)
    last = Event.objects.order_by("-seq").values_list("seq", "chain_hash").first()
    seq, prev = (last[0] + 1, last[1]) if last else (0, GENESIS_CHAIN)
    created_at = db_now()
    actor_text = actor_ref(actor)
    # Round-trip the payload through JSON so what is hashed is exactly what the database returns later.
    payload = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
    entry = canonical_entry(seq=seq, action=action, actor=actor_text, object_type=object_type,
                            object_id=str(object_id), payload=payload, created_at=created_at)
    leaf = merkle.leaf_hash(entry)
    return Event.objects.create(
        seq=seq, action=action, actor=actor_text, object_type=object_type, object_id=str(object_id),
        payload=payload, created_at=created_at, leaf_hash=leaf.hex(), chain_hash=_chain(prev, leaf),
    )


def history(obj: Any) -> list[Event]:
    return list(Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("seq"))


# --- Merkle nodes and checkpoints -----------------------------------------------------------------


def _stored_perfect(level: int, index: int) -> bytes:
    if level == 0:
        return bytes.fromhex(Event.objects.values_list("leaf_hash", flat=True).get(seq=index))
    return bytes.fromhex(MerkleNode.objects.values_list("hash", flat=True).get(level=level, index=index))


def tree_extend(batch: int = 20000) -> int:
    """Store the hashes of perfect subtrees completed since the last run; returns the tree size covered.

    Restart-safe: it resumes from the stored frontier (the highest complete node of each level).
    """
    covered = _covered_size()
    builder = _builder_at(covered)
    new_nodes: list[MerkleNode] = []
    builder._on_node = lambda level, index, value: new_nodes.append(
        MerkleNode(level=level, index=index, hash=value.hex())
    )
    while True:
        rows = list(
            Event.objects.filter(seq__gte=builder.size).order_by("seq").values_list("leaf_hash", flat=True)[:batch]
        )
        if not rows:
            break
        for leaf in rows:
            builder.append(bytes.fromhex(leaf))
        MerkleNode.objects.bulk_create(new_nodes, ignore_conflicts=True)
        new_nodes.clear()
    return builder.size


def _covered_size() -> int:
    """The number of leaves whose every perfect ancestor (within the tree so far) is stored. Nodes are
    written level by level as leaves stream in, so the size is the end of the highest level-1 node …
    simply: count of leaves covered by the last stored level-1 node, rounded down to even."""
    last = MerkleNode.objects.filter(level=1).order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else (last + 1) * 2


def _builder_at(size: int) -> merkle.TreeBuilder:
    """A TreeBuilder positioned after ``size`` leaves, rebuilt from the stored perfect subtrees."""
    builder = merkle.TreeBuilder()
    start = 0
    stack: list[tuple[int, bytes]] = []
    for level in range(size.bit_length() - 1, -1, -1):
        if size & (1 << level):
            stack.append((level, _stored_perfect(level, start >> level)))
            start += 1 << level
    builder.size = size
    builder._stack = stack
    return builder


def log_size() -> int:
    last = Event.objects.order_by("-seq").values_list("seq", flat=True).first()
    return 0 if last is None else last + 1


def root_at(size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.subtree_hash(0, size, _stored_perfect)


@dataclass(frozen=True)
class Head:
    size: int
    root_hash: str
    signed_at: datetime
    note: str
    signature: str
    public_key: str


def checkpoint_note(*, size: int, root: bytes, signed_at: datetime) -> str:
    """C2SP tlog-checkpoint body: origin, size, base64 root, then an extension line with the time."""
    stamp = signed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{settings.YANGGUANG_LOG_ORIGIN}\n{size}\n{base64.b64encode(root).decode()}\ntime {stamp}\n"


def checkpoint_sign(*, reason: str = "on demand", force: bool = False) -> Checkpoint:
    """Extend the tree and sign a head for its current size. Two workers never sign twice for one size:
    the checkpoint lock serialises them and the second finds the size already signed."""
    tree_extend()
    with transaction.atomic():
        _lock(_CHECKPOINT_LOCK_KEY)
        size = log_size()
        latest = Checkpoint.objects.first()
        if latest is not None and latest.size == size and not force:
            return latest
        # Nodes for leaves appended since tree_extend() ran are built on the fly from leaf hashes.
        root = root_at(size) if size <= _covered_size() + 1 else _root_streaming(size)
        signed_at = db_now()
        note = checkpoint_note(size=size, root=root, signed_at=signed_at)
        key = platform_key()
        return Checkpoint.objects.create(
            size=size, root_hash=root.hex(), signed_at=signed_at, note=note,
            signature=base64.b64encode(key.sign(note.encode())).decode(),
            public_key=key.public_b64(), reason=reason,
        )


def _root_streaming(size: int) -> bytes:
    covered = _covered_size()
    builder = _builder_at(covered)
    for leaf in Event.objects.filter(seq__gte=covered, seq__lt=size).order_by("seq").values_list(
        "leaf_hash", flat=True
    ):
        builder.append(bytes.fromhex(leaf))
    return builder.root()


def head() -> Checkpoint | None:
    return Checkpoint.objects.first()


def inclusion_proof(index: int, size: int) -> list[bytes]:
    if size > _covered_size() + 1:
        tree_extend()
    return merkle.inclusion_path(index, size, _stored_perfect)


# --- Verification -----------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    size: int
    checkpoints: int
    nodes: int
    error: str | None = None
    first_bad_seq: int | None = None


def _iter_events(batch: int) -> Iterator[tuple]:
    fields = ("seq", "action", "actor", "object_type", "object_id", "payload", "created_at",
              "leaf_hash", "chain_hash")
    last = -1
    while True:
        rows = list(Event.objects.filter(seq__gt=last).order_by("seq").values_list(*fields)[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def verify_log(*, batch: int = 20000) -> VerifyReport:
    """Recompute every leaf, the chain, every stored Merkle node and every signed checkpoint."""
    from .signing import verify_signature

    checkpoints = {}
    for cp in Checkpoint.objects.order_by("size"):
        if not verify_signature(cp.public_key, cp.note.encode(), cp.signature):
            return VerifyReport(0, 0, 0, f"checkpoint {cp.pk} (size {cp.size}) has a bad signature")
        expected_note = checkpoint_note(size=cp.size, root=bytes.fromhex(cp.root_hash), signed_at=cp.signed_at)
        if expected_note != cp.note:
            return VerifyReport(0, 0, 0, f"checkpoint {cp.pk} (size {cp.size}) fields differ from its signed note")
        checkpoints.setdefault(cp.size, []).append(cp.root_hash)

    computed_nodes: dict[tuple[int, int], str] = {}
    builder = merkle.TreeBuilder(on_node=lambda lv, ix, h: computed_nodes.__setitem__((lv, ix), h.hex()))
    prev = GENESIS_CHAIN
    expected_seq = 0
    leaf_hash = merkle.leaf_hash
    checked_cps = 0
    if 0 in checkpoints:
        checked_cps += _check_roots(checkpoints[0], merkle.EMPTY_ROOT, 0)
    node_count = 0
    for seq, action, actor, object_type, object_id, payload, created_at, leaf_hex, chain_hex in _iter_events(batch):
        if seq != expected_seq:
            return VerifyReport(expected_seq, checked_cps, node_count,
                                f"event #{expected_seq} is missing (next present is #{seq})", expected_seq)
        entry = canonical_entry(seq=seq, action=action, actor=actor, object_type=object_type,
                                object_id=object_id, payload=payload, created_at=created_at)
        leaf = leaf_hash(entry)
        if leaf.hex() != leaf_hex:
            return VerifyReport(seq, checked_cps, node_count,
                                f"event #{seq} ({action}) was altered: its content no longer matches its leaf hash",
                                seq)
        chain = _chain(prev, leaf)
        if chain != chain_hex:
            return VerifyReport(seq, checked_cps, node_count, f"event #{seq} ({action}) breaks the hash chain", seq)
        prev = chain
        builder.append(leaf)
        expected_seq += 1
        if expected_seq in checkpoints:
            bad = _check_roots(checkpoints[expected_seq], builder.root(), expected_seq)
            if bad < 0:
                return VerifyReport(expected_seq, checked_cps, node_count,
                                    f"the log up to #{seq} does not match the signed checkpoint of size "
                                    f"{expected_seq}", seq)
            checked_cps += bad
        if len(computed_nodes) >= batch:
            err = _check_nodes(computed_nodes)
            if err:
                return VerifyReport(expected_seq, checked_cps, node_count, err)
            node_count += len(computed_nodes)
            computed_nodes.clear()
    err = _check_nodes(computed_nodes)
    if err:
        return VerifyReport(expected_seq, checked_cps, node_count, err)
    node_count += len(computed_nodes)
    for size in checkpoints:
        if size > expected_seq:
            return VerifyReport(expected_seq, checked_cps, node_count,
                                f"a checkpoint was signed for size {size} but the log has only {expected_seq} "
                                f"events: events #{expected_seq}… were removed", expected_seq)
    return VerifyReport(expected_seq, checked_cps, node_count)


def _check_roots(roots: list[str], root: bytes, size: int) -> int:
    return len(roots) if all(r == root.hex() for r in roots) else -1


def _check_nodes(computed: dict[tuple[int, int], str]) -> str | None:
    if not computed:
        return None
    levels = {lv for lv, _ in computed}
    for level in levels:
        indices = [ix for lv, ix in computed if lv == level]
        stored = dict(
            MerkleNode.objects.filter(level=level, index__gte=min(indices), index__lte=max(indices)).values_list(
                "index", "hash"
            )
        )
        for ix in indices:
            have = stored.get(ix)
            if have is not None and have != computed[(level, ix)]:
                return f"stored Merkle node level {level} index {ix} was altered"
    return None
