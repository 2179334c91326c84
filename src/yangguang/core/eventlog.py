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
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils.dateparse import parse_datetime

from . import merkle
from .dbclock import db_now
from .models import CANONICAL_JSON, Checkpoint, Event, MerkleNode
from .signing import platform_key

GENESIS_CHAIN = "0" * 64
# Advisory-lock key for the log (PostgreSQL): any fixed 64-bit number; "YGLOG" in ASCII. Public: SQL functions
# of other apps that append (the auctions' bid function) take the same lock.
LOG_LOCK_KEY = 0x59474C4F47
_LOG_LOCK_KEY = LOG_LOCK_KEY
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


_CANONICAL = CANONICAL_JSON
_string = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept (ensure_ascii=False)
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def canonical_entry(
    *, seq: int, action: str, actor: str, object_type: str, object_id: str, payload: Any, created_at: datetime
) -> bytes:
    """The bytes a leaf hashes: ``json.dumps({action, actor, object, payload, seq, time}, sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`` with ``object`` = "<type>:<id>" and ``time`` in UTC as
    ``2026-01-02T03:04:05.678000Z``."""
    return _canonical(seq, action, actor, object_type, object_id, _CANONICAL.encode(payload),
                      created_at.astimezone(UTC).strftime(_TIME_FORMAT))


def _entry_head(action: str, actor: str, object_type: str, object_id: str, payload_text: str) -> str:
    """The canonical entry up to its ``seq`` value (keys in sorted order; ``seq`` and ``time`` come last)."""
    return (f'{{"action":{_string(action)},"actor":{_string(actor)},"object":{_string(f"{object_type}:{object_id}")},'
            f'"payload":{payload_text},"seq":')


def _canonical(seq: int, action: str, actor: str, object_type: str, object_id: str, payload_text: str,
               time_text: str) -> bytes:
    """The canonical entry from the payload's canonical text and the time's canonical text; written out
    because verify_log calls it a million times."""
    head = _entry_head(action, actor, object_type, object_id, payload_text)
    return f'{head}{int(seq)},"time":"{time_text}"}}'.encode()


def _chain(prev_chain_hex: str, leaf: bytes) -> str:
    return hashlib.sha256(bytes.fromhex(prev_chain_hex) + leaf).hexdigest()


def _lock(key: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


_sql_cache: dict[str, tuple[str, str]] = {}


def _sqlite_sql(conn: Any) -> tuple[str, str]:
    """(read last row + clock, insert) for SQLite's own DB-API (``?`` placeholders), built once."""
    cached = _sql_cache.get("sqlite")
    if cached is None:
        table = conn.ops.quote_name(Event._meta.db_table)
        read = (f"SELECT e.seq, e.chain_hash, strftime('%Y-%m-%dT%H:%M:%f', 'now') FROM (SELECT 1 AS one) AS o "  # noqa: S608
                f"LEFT JOIN (SELECT seq, chain_hash FROM {table} ORDER BY seq DESC LIMIT 1) AS e ON 1 = 1")
        insert = (f"INSERT INTO {table} (seq, action, actor, object_type, object_id, payload, created_at, "  # noqa: S608
                  f"leaf_hash, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        cached = _sql_cache["sqlite"] = (read, insert)
    return cached


def _append_sqlite(conn: Any, action: str, actor: str, object_type: str, object_id: str, payload_text: str,
                   head: str) -> tuple[int, datetime, str, str]:
    """Two statements on SQLite's own connection, inside Django's transaction (BEGIN IMMEDIATE already holds
    the database's write lock, so appends are serialised). In-process, so the cost is Python's: the
    statements go straight to the driver, and the time is written in the form Django stores."""
    read_sql, insert_sql = _sqlite_sql(conn)
    raw = conn.connection
    last_seq, last_chain, now_text = raw.execute(read_sql).fetchone()
    seq, prev = (last_seq + 1, bytes.fromhex(last_chain)) if last_seq is not None else (0, _GENESIS)
    leaf = hashlib.sha256(b"\x00" + f'{head}{seq},"time":"{now_text}000Z"}}'.encode()).digest()
    leaf_hex, chain_hex = leaf.hex(), hashlib.sha256(prev + leaf).hexdigest()
    raw.execute(insert_sql, (seq, action, actor, object_type, object_id, payload_text,
                             f"{now_text[:10]} {now_text[11:]}000", leaf_hex, chain_hex))
    return seq, datetime.fromisoformat(now_text).replace(tzinfo=UTC), leaf_hex, chain_hex


def _append_postgresql(conn: Any, action: str, actor: str, object_type: str, object_id: str, payload_text: str,
                       head: str) -> tuple[int, datetime, str, str]:
    """One round trip: the function from migration core 0003 takes the log lock, reads the last row, hashes
    the entry with the database clock and inserts it."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT * FROM yangguang_event_append(%s, %s, %s, %s, %s, %s, %s)",
                       [_LOG_LOCK_KEY, action, actor, object_type, object_id, payload_text, head])
        seq, created_at, leaf_hex, chain_hex = cursor.fetchone()
    return seq, created_at.astimezone(UTC), leaf_hex, chain_hex


_GENESIS = bytes.fromhex(GENESIS_CHAIN)
_APPEND = {"sqlite": _append_sqlite, "postgresql": _append_postgresql}


def event_append(*, action: str, actor: Any, obj: Any = None, object_type: str = "", object_id: Any = "",
                 payload: dict[str, Any] | None = None) -> Event:
    """Append one event inside the caller's transaction. ``obj`` (a model instance) names the object.

    Hot path of every service call: one round trip on PostgreSQL (a function), two in-process statements
    on SQLite; the payload is encoded once, to the canonical text that is stored and hashed.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        raise RuntimeError("event_append must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk
    object_id = str(object_id)
    actor_text = actor_ref(actor)
    payload_text = _CANONICAL.encode(payload or {})
    head = _entry_head(action, actor_text, object_type, object_id, payload_text)
    seq, created_at, leaf_hex, chain_hex = _APPEND[conn.vendor](
        conn, action, actor_text, object_type, object_id, payload_text, head)
    # Positional arguments in field order: the cheapest way to build the model instance.
    event = Event(seq, action, actor_text, object_type, object_id, json.loads(payload_text), created_at, leaf_hex,
                  chain_hex)
    event._state.adding = False
    event._state.db = conn.alias
    return event


def event_append_many(items: Sequence[dict[str, Any]]) -> list[int]:
    """Append several events, in order, inside the caller's transaction; returns their ``seq`` numbers.

    Each item holds the keyword arguments of :func:`event_append` (``action``, ``actor``, and ``obj`` or
    ``object_type``/``object_id``, ``payload``). For steps applied in bulk (the chronograph catching up on
    thousands of due rows): one round trip on PostgreSQL, one read and one ``executemany`` on SQLite, and
    the same entries, hashes and chain as one ``event_append`` per item.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        raise RuntimeError("event_append_many must run inside the transaction of the changes it records")
    if not items:
        return []
    rows = []
    for item in items:
        obj = item.get("obj")
        object_type, object_id = item.get("object_type", ""), item.get("object_id", "")
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = obj.pk
        object_id = str(object_id)
        actor_text = actor_ref(item["actor"])
        payload_text = _CANONICAL.encode(item.get("payload") or {})
        rows.append((item["action"], actor_text, object_type, object_id, payload_text,
                     _entry_head(item["action"], actor_text, object_type, object_id, payload_text)))
    if conn.vendor == "postgresql":
        columns = list(zip(*rows, strict=True))
        with conn.cursor() as cursor:
            cursor.execute("SELECT yangguang_event_append_many(%s, %s, %s, %s, %s, %s, %s)",
                           [_LOG_LOCK_KEY, *[list(c) for c in columns]])
            first = cursor.fetchone()[0]
        return list(range(first, first + len(rows)))
    read_sql, insert_sql = _sqlite_sql(conn)
    raw = conn.connection
    last_seq, last_chain, now_text = raw.execute(read_sql).fetchone()
    seq, prev = (last_seq + 1, bytes.fromhex(last_chain)) if last_seq is not None else (0, _GENESIS)
    stored_time, time_text = f"{now_text[:10]} {now_text[11:]}000", f"{now_text}000Z"
    values, seqs = [], []
    for action, actor_text, object_type, object_id, payload_text, head in rows:
        leaf = hashlib.sha256(b"\x00" + f'{head}{seq},"time":"{time_text}"}}'.encode()).digest()
        prev = hashlib.sha256(prev + leaf).digest()
        values.append((seq, action, actor_text, object_type, object_id, payload_text, stored_time, leaf.hex(),
                       prev.hex()))
        seqs.append(seq)
        seq += 1
    raw.executemany(insert_sql, values)
    return seqs


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


def _iter_batches(columns: str, batch: int) -> Iterator[list[tuple]]:
    """Raw rows of the log in ``seq`` order, in batches (keyset pagination; no ORM per-row conversion).
    The first selected column must be ``seq``."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql = (f"SELECT {columns} FROM {conn.ops.quote_name(Event._meta.db_table)} "  # noqa: S608
           f"WHERE seq > %s ORDER BY seq LIMIT %s")
    last = -1
    while True:
        with conn.cursor() as cursor:
            cursor.execute(sql, [last, batch])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


@dataclass
class _Outcome:
    """What one pass of the verification found: how far it got and the first problem, if any."""

    size: int
    error: str | None = None
    first_bad_seq: int | None = None
    checkpoints: int = 0
    nodes: int = 0


def _verify_entries(batch: int) -> _Outcome:
    """Pass 1: every row's content against its stored leaf hash, the chain, and that ``seq`` has no gap.

    ``created_at`` is selected as text on SQLite so the driver does not parse it; ``payload`` is the stored
    canonical text, hashed as it is (re-encoded only if it does not match, e.g. rows older than core 0003).
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if conn.vendor == "postgresql":
        # The server writes the canonical time text itself (the same format as _TIME_FORMAT), which is
        # much cheaper than building a datetime per row in the driver and formatting it again here.
        created = """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
        canonical_time: Callable[[Any], str] = str
    else:
        created = "CAST(created_at AS TEXT)" if conn.vendor == "sqlite" else "created_at"
        canonical_time = _canonical_time
    prev = _GENESIS
    expected_seq = 0
    sha256 = hashlib.sha256
    loads = json.loads
    encode = _CANONICAL.encode
    canonical = _canonical
    columns = f"seq, action, actor, object_type, object_id, payload, {created}, leaf_hash, chain_hash"
    for rows in _iter_batches(columns, batch):
        for seq, action, actor, object_type, object_id, payload, created_at, leaf_hex, chain_hex in rows:
            if seq != expected_seq:
                return _Outcome(expected_seq, f"event #{expected_seq} is missing (next present is #{seq})",
                                expected_seq)
            try:
                time_text = canonical_time(created_at)
                leaf = sha256(b"\x00" + canonical(seq, action, actor, object_type, object_id, payload,
                                                   time_text)).digest()
                if leaf.hex() != leaf_hex:
                    # Stored before payloads were canonical text, or altered: compare what it means.
                    leaf = sha256(b"\x00" + canonical(seq, action, actor, object_type, object_id,
                                                       encode(loads(payload)), time_text)).digest()
            except ValueError:
                return _Outcome(seq, f"event #{seq} ({action}) was altered: its fields are unreadable", seq)
            if leaf.hex() != leaf_hex:
                return _Outcome(seq, f"event #{seq} ({action}) was altered: its content no longer matches its "
                                     f"leaf hash", seq)
            chain = sha256(prev + leaf).digest()
            if chain.hex() != chain_hex:
                return _Outcome(seq, f"event #{seq} ({action}) breaks the hash chain", seq)
            prev = chain
            expected_seq += 1
    return _Outcome(expected_seq)


def _verify_tree(checkpoints: dict[int, list[str]], batch: int) -> _Outcome:
    """Pass 2: the Merkle tree over the stored leaf hashes against every stored node and signed root.

    Independent of pass 1 (which proves each stored leaf hash matches its row), so the two can run at once.
    """
    computed_nodes: dict[tuple[int, int], str] = {}
    builder = merkle.TreeBuilder(on_node=lambda lv, ix, h: computed_nodes.__setitem__((lv, ix), h.hex()))
    append_leaf = builder.append
    fromhex = bytes.fromhex
    size = 0
    checked = _check_roots(checkpoints[0], merkle.EMPTY_ROOT, 0) if 0 in checkpoints else 0
    if checked < 0:
        return _Outcome(0, "the signed checkpoint of size 0 does not have the empty tree's root")
    node_count = 0
    for rows in _iter_batches("seq, leaf_hash", batch):
        for seq, leaf_hex in rows:
            append_leaf(fromhex(leaf_hex))
            size += 1
            if size in checkpoints:
                good = _check_roots(checkpoints[size], builder.root(), size)
                if good < 0:
                    return _Outcome(size, f"the log up to #{seq} does not match the signed checkpoint of size "
                                          f"{size}", seq, checked, node_count)
                checked += good
        if len(computed_nodes) >= batch:
            err = _check_nodes(computed_nodes)
            if err:
                return _Outcome(size, err, None, checked, node_count)
            node_count += len(computed_nodes)
            computed_nodes.clear()
    err = _check_nodes(computed_nodes)
    if err:
        return _Outcome(size, err, None, checked, node_count)
    node_count += len(computed_nodes)
    for signed_size in checkpoints:
        if signed_size > size:
            return _Outcome(size, f"a checkpoint was signed for size {signed_size} but the log has only {size} "
                                  f"events: events #{size}… were removed", size, checked, node_count)
    return _Outcome(size, None, None, checked, node_count)


def _parallel_possible() -> bool:
    conn = connections[DEFAULT_DB_ALIAS]
    if os.name != "posix" or (os.cpu_count() or 1) < 2 or conn.in_atomic_block:
        return False
    in_memory = conn.vendor == "sqlite" and conn.is_in_memory_db()  # type: ignore[attr-defined]
    return not in_memory


def verify_log(*, batch: int = 20000, parallel: bool | None = None) -> VerifyReport:
    """Recompute every leaf, the chain, every stored Merkle node and every signed checkpoint.

    Two independent passes: the rows against their leaf hashes and chain (pass 1), and the tree of the
    stored leaf hashes against the stored nodes and signed roots (pass 2). With ``parallel`` (default: when
    the database is a server or a file, we are not inside a transaction and there are two CPUs) pass 2
    runs in a second process (core.verify_child) while this one runs pass 1. A problem found by pass 1 is
    reported first: it names the altered event.
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

    if parallel is None:
        parallel = _parallel_possible()
    if parallel:
        import multiprocessing

        from .verify_child import tree_pass

        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        name = str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
        child = context.Process(target=tree_pass, args=(checkpoints, batch, send, name), daemon=True)
        child.start()
        send.close()
        try:
            entries = _verify_entries(batch)
            tree = receive.recv()
        finally:
            child.join()
        if isinstance(tree, BaseException):
            raise tree
    else:
        entries = _verify_entries(batch)
        tree = _verify_tree(checkpoints, batch) if entries.error is None else _Outcome(entries.size)
    first = entries if entries.error is not None else tree
    return VerifyReport(entries.size, tree.checkpoints, tree.nodes, first.error, first.first_bad_seq)


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
