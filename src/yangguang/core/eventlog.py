"""The event log: append, checkpoint, prove, verify.

Every service function calls :func:`event_append` inside its transaction, so no state change commits
without its event and no event survives a rolled-back change. Appends are serialised (PostgreSQL advisory
lock; SQLite's IMMEDIATE transaction already holds the write lock) so ``seq`` is gap-free and the chain
has one order. The canonical entry is JSON with sorted keys, no spaces, UTF-8 — the form a third party
re-hashes to check a leaf.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils.dateparse import parse_datetime

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


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_string = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept (ensure_ascii=False)
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def canonical_entry(
    *, seq: int, action: str, actor: str, object_type: str, object_id: str, payload: Any, created_at: datetime
) -> bytes:
    return _canonical(seq, action, actor, object_type, object_id, payload,
                      created_at.astimezone(UTC).strftime(_TIME_FORMAT))


def _canonical(seq: int, action: str, actor: str, object_type: str, object_id: str, payload: Any,
               time_text: str) -> bytes:
    """The canonical entry with the time already in its canonical text form (``2026-01-02T03:04:05.678000Z``).

    Byte for byte ``json.dumps({...}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` of the
    six fields; written out (keys in sorted order) because verify_log calls it a million times.
    """
    return (
        f'{{"action":{_string(action)},"actor":{_string(actor)},"object":{_string(f"{object_type}:{object_id}")},'
        f'"payload":{_CANONICAL.encode(payload)},"seq":{int(seq)},"time":{_string(time_text)}}}'
    ).encode()


def _chain(prev_chain_hex: str, leaf: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(prev_chain_hex) + leaf).hexdigest()


def _lock(key: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# The database clock read in the same statement as the log's last row (one round trip instead of two).
_NOW_SQL = {
    "postgresql": "clock_timestamp()",
    "sqlite": "strftime('%Y-%m-%dT%H:%M:%f', 'now')",
}
_INSERT_COLUMNS = ("seq", "action", "actor", "object_type", "object_id", "payload", "created_at", "leaf_hash",
                   "chain_hash")
_sql_cache: dict[str, tuple[str | None, str]] = {}


def _append_sql(conn: Any) -> tuple[str | None, str]:
    """(read-last-and-now SQL or None, INSERT SQL) for this database vendor, built once."""
    cached = _sql_cache.get(conn.vendor)
    if cached is None:
        quote = conn.ops.quote_name
        table = quote(Event._meta.db_table)
        now_sql = _NOW_SQL.get(conn.vendor)
        read = None if now_sql is None else (
            f"SELECT e.seq, e.chain_hash, {now_sql} FROM (SELECT 1 AS one) AS o LEFT JOIN "  # noqa: S608
            f"(SELECT seq, chain_hash FROM {table} ORDER BY seq DESC LIMIT 1) AS e ON 1 = 1"
        )
        columns = ", ".join(quote(Event._meta.get_field(name).column) for name in _INSERT_COLUMNS)  # type: ignore[union-attr]
        insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))})"  # noqa: S608
        cached = _sql_cache[conn.vendor] = (read, insert)
    return cached


def _last_and_now(conn: Any, read_sql: str | None) -> tuple[int | None, str | None, datetime]:
    """(last seq, last chain hash, database now) in one query; two on databases without a clock SQL."""
    if read_sql is None:
        _lock(_LOG_LOCK_KEY)
        last = Event.objects.order_by("-seq").values_list("seq", "chain_hash").first()
        return (last[0], last[1], db_now()) if last else (None, None, db_now())
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql" and not conn.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            # Lock and read in one round trip: two statements in one simple query. Each statement takes its
            # own snapshot (READ COMMITTED), so the read sees every append committed before the lock.
            cursor.execute(f"SELECT pg_advisory_xact_lock({_LOG_LOCK_KEY}); {read_sql}")
            cursor.nextset()
        else:
            _lock(_LOG_LOCK_KEY)
            cursor.execute(read_sql)
        seq, chain, now = cursor.fetchone()
    if isinstance(now, str):  # SQLite: UTC text with milliseconds
        return seq, chain, datetime.fromisoformat(now).replace(tzinfo=UTC)
    return seq, chain, now.astimezone(UTC)


def event_append(*, action: str, actor: Any, obj: Any = None, object_type: str = "", object_id: Any = "",
                 payload: dict[str, Any] | None = None) -> Event:
    """Append one event inside the caller's transaction. ``obj`` (a model instance) names the object.

    Hot path of every service call: two round trips (read last row + clock, insert) in raw SQL — ORM query
    compilation cost more than the database work. On PostgreSQL the advisory lock goes in the first round
    trip as its own statement ahead of the read, so the read sees the last committed append.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        raise RuntimeError("event_append must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    payload = payload or {}
    read_sql, insert_sql = _append_sql(conn)
    last_seq, last_chain, created_at = _last_and_now(conn, read_sql)  # takes the log lock first
    seq, prev = (last_seq + 1, str(last_chain)) if last_seq is not None else (0, GENESIS_CHAIN)
    actor_text = actor_ref(actor)
    # Round-trip the payload through JSON so what is hashed is exactly what the database returns later.
    payload = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
    entry = canonical_entry(seq=seq, action=action, actor=actor_text, object_type=object_type,
                            object_id=str(object_id), payload=payload, created_at=created_at)
    leaf = merkle.leaf_hash(entry)
    event = Event(seq=seq, action=action, actor=actor_text, object_type=object_type, object_id=str(object_id),
                  payload=payload, created_at=created_at, leaf_hash=leaf.hex(), chain_hash=_chain(prev, leaf))
    meta = Event._meta
    values = [meta.get_field(name).get_db_prep_save(getattr(event, name), conn)  # type: ignore[union-attr]
              for name in _INSERT_COLUMNS]
    with conn.cursor() as cursor:
        cursor.execute(insert_sql, values)
    event._state.adding = False
    event._state.db = conn.alias
    return event


def history(obj: Any) -> list[Event]:
    return list(Event.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("seq"))


# --- Merkle nodes and checkpoints -----------------------------------------------------------------


def _stored_perfect(level: int, index: int) -> bytes:
    if level == 0:
        return bytes.fromhex(Event.objects.values_list("leaf_hash", flat=True).get(seq=index))
    return bytes.fromhex(MerkleNode.objects.values_list("hash", flat=True).get(level=level, index=index))


def tree_extend(batch: int = 20000) -> int:
    """Store the hashes of perfect subtrees completed since the last run; returns the tree size covered.

    Restart-safe: it resumes from the stored frontier (the highest complete node of each level). Raw SQL
    in both directions: a million leaves would otherwise mean a million ORM objects.
    """
    covered = _covered_size()
    builder = _builder_at(covered)
    new_nodes: list[tuple[int, int, str]] = []
    builder._on_node = lambda level, index, value: new_nodes.append((level, index, value.hex()))
    conn = connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    read = (f"SELECT leaf_hash FROM {quote(Event._meta.db_table)} "  # noqa: S608
            f"WHERE seq >= %s ORDER BY seq LIMIT %s")
    write = (f"INSERT INTO {quote(MerkleNode._meta.db_table)} (level, {quote('index')}, hash) "  # noqa: S608
             f"VALUES (%s, %s, %s) ON CONFLICT DO NOTHING")
    append = builder.append
    fromhex = bytes.fromhex
    while True:
        with conn.cursor() as cursor:
            cursor.execute(read, [builder.size, batch])
            rows = cursor.fetchall()
        if not rows:
            break
        for (leaf,) in rows:
            append(fromhex(leaf))
        if new_nodes:
            with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
                cursor.executemany(write, new_nodes)
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


_SQLITE_STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?")


def _canonical_time(value: Any) -> str:
    """Canonical time text of a ``created_at`` as the raw cursor returns it, as the ORM would read it.

    SQLite stores Django's UTC text (``YYYY-MM-DD HH:MM:SS[.ffffff]``): well-formed values are rewritten
    without parsing; anything else goes through the ORM's own conversion (parse_datetime, naive = UTC).
    """
    if isinstance(value, str):
        match = _SQLITE_STAMP.fullmatch(value)
        if match:
            return f"{value[:10]}T{value[11:19]}{match.group(1) or '.000000'}Z"
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(f"unreadable time {value!r}")
        value = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(_TIME_FORMAT)


def _iter_event_batches(batch: int) -> Iterator[list[tuple]]:
    """Raw rows of the log in ``seq`` order, in batches (keyset pagination; no ORM per-row conversion).

    ``created_at`` is selected as text on SQLite so the driver does not parse it; ``payload`` arrives as
    JSON text on both databases (Django registers jsonb as text for psycopg 3)."""
    conn = connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    created = "CAST(created_at AS TEXT)" if conn.vendor == "sqlite" else "created_at"
    sql = (f"SELECT seq, action, actor, object_type, object_id, payload, {created}, leaf_hash, chain_hash "  # noqa: S608
           f"FROM {quote(Event._meta.db_table)} WHERE seq > %s ORDER BY seq LIMIT %s")
    last = -1
    while True:
        with conn.cursor() as cursor:
            cursor.execute(sql, [last, batch])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def verify_log(*, batch: int = 20000) -> VerifyReport:
    """Recompute every leaf, the chain, every stored Merkle node and every signed checkpoint.

    The loop is the hot path of a full audit (about a million events per 20 s target): raw rows, no
    per-row ORM objects, one pre-built JSON encoder, and chain hashes kept as bytes.
    """
    from .signing import verify_signature

    checkpoints: dict[int, list[str]] = {}
    for cp in Checkpoint.objects.order_by("size"):
        if not verify_signature(cp.public_key, cp.note.encode(), cp.signature):
            return VerifyReport(0, 0, 0, f"checkpoint {cp.pk} (size {cp.size}) has a bad signature")
        expected_note = checkpoint_note(size=cp.size, root=bytes.fromhex(cp.root_hash), signed_at=cp.signed_at)
        if expected_note != cp.note:
            return VerifyReport(0, 0, 0, f"checkpoint {cp.pk} (size {cp.size}) fields differ from its signed note")
        checkpoints.setdefault(cp.size, []).append(cp.root_hash)

    computed_nodes: dict[tuple[int, int], str] = {}
    builder = merkle.TreeBuilder(on_node=lambda lv, ix, h: computed_nodes.__setitem__((lv, ix), h.hex()))
    append_leaf = builder.append
    prev = bytes.fromhex(GENESIS_CHAIN)
    expected_seq = 0
    sha256 = hashlib.sha256
    loads = json.loads
    canonical = _canonical
    canonical_time = _canonical_time
    checked_cps = 0
    if 0 in checkpoints:
        checked_cps += _check_roots(checkpoints[0], merkle.EMPTY_ROOT, 0)
    node_count = 0
    for rows in _iter_event_batches(batch):
        for seq, action, actor, object_type, object_id, payload, created_at, leaf_hex, chain_hex in rows:
            if seq != expected_seq:
                return VerifyReport(expected_seq, checked_cps, node_count,
                                    f"event #{expected_seq} is missing (next present is #{seq})", expected_seq)
            try:
                entry = canonical(seq, action, actor, object_type, object_id,
                                  loads(payload) if isinstance(payload, str | bytes) else payload,
                                  canonical_time(created_at))
            except ValueError:
                return VerifyReport(seq, checked_cps, node_count,
                                    f"event #{seq} ({action}) was altered: its fields are unreadable", seq)
            leaf = sha256(b"\x00" + entry).digest()
            if leaf.hex() != leaf_hex:
                return VerifyReport(seq, checked_cps, node_count,
                                    f"event #{seq} ({action}) was altered: its content no longer matches its "
                                    f"leaf hash", seq)
            chain = sha256(prev + leaf).digest()
            if chain.hex() != chain_hex:
                return VerifyReport(seq, checked_cps, node_count, f"event #{seq} ({action}) breaks the hash chain",
                                    seq)
            prev = chain
            append_leaf(leaf)
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
    conn = connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    sql = (f"SELECT {quote('index')}, hash FROM {quote(MerkleNode._meta.db_table)} "  # noqa: S608
           f"WHERE level = %s AND {quote('index')} BETWEEN %s AND %s")
    by_level: dict[int, list[int]] = {}
    for level, index in computed:
        by_level.setdefault(level, []).append(index)
    for level, indices in sorted(by_level.items()):
        with conn.cursor() as cursor:
            cursor.execute(sql, [level, min(indices), max(indices)])
            stored = dict(cursor.fetchall())
        for ix in indices:
            have = stored.get(ix)
            if have is not None and have != computed[(level, ix)]:
                return f"stored Merkle node level {level} index {ix} was altered"
    return None
