"""The event log in the database: append rules, checkpoints, the public proof API, and verify-log detecting
every kind of tampering."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from yangguang.core import eventlog, merkle
from yangguang.core.models import Checkpoint, Event, MerkleNode

CHECKPOINT_SIZES = (1, 7, 64, 100, 150)


# --- An independent RFC 9162 §2.1.3.2 verifier, written from the RFC text (not from merkle.py) --------


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def rfc9162_verify_inclusion(leaf_index: int, tree_size: int, leaf_hash: bytes, inclusion_path: list[bytes],
                             root_hash: bytes) -> bool:
    # 1. Compare leaf_index against tree_size. If leaf_index is greater than or equal to tree_size, fail.
    if leaf_index >= tree_size or leaf_index < 0:
        return False
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = leaf_index, tree_size - 1
    # 3. Set r to hash.
    r = leaf_hash
    # 4. For each value p in the inclusion_path array:
    for p in inclusion_path:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn % 2 == 1 or fn == sn:
            # i. Set r to HASH(0x01 || p || r).
            r = _h(b"\x01" + p + r)
            # ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set
            #     or fn is 0.
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn // 2, sn // 2
        # Otherwise: Set r to HASH(0x01 || r || p).
        else:
            r = _h(b"\x01" + r + p)
        # c. Finally, right-shift both fn and sn one time.
        fn, sn = fn // 2, sn // 2
    # 5. Compare sn to 0. Compare r against the root_hash. If sn is equal to 0 and r and the root_hash are
    #    equal, then the log has proven the inclusion of hash. Otherwise, fail the proof verification.
    return sn == 0 and r == root_hash


# --- Helpers ----------------------------------------------------------------------------------------


def append(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        with transaction.atomic():
            eventlog.event_append(action="test.thing.done", actor="system", object_type="test.thing",
                                  object_id=i, payload={"i": i, "text": "招标 ✓", "nested": {"b": [1, 2]}})


def build_log(total: int, checkpoint_sizes: tuple[int, ...]) -> list[Checkpoint]:
    signed = []
    for size in checkpoint_sizes:
        append(size - eventlog.log_size(), eventlog.log_size())
        signed.append(eventlog.checkpoint_sign(reason="test"))
    append(total - eventlog.log_size(), eventlog.log_size())
    return signed


@contextmanager
def log_writable() -> Iterator[None]:
    """On PostgreSQL, switch the append-only triggers off for a tampering step (inside the test transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_event DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE core_checkpoint DISABLE TRIGGER USER")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE core_event ENABLE TRIGGER USER")
                cursor.execute("ALTER TABLE core_checkpoint ENABLE TRIGGER USER")


def raw(sql: str, params: list | None = None) -> int:
    with log_writable(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount


def run_verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_log", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


# --- Append -----------------------------------------------------------------------------------------


def test_event_append_outside_a_transaction_raises(relaxed_log):
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError):
        eventlog.event_append(action="test.thing.done", actor="system", object_type="x", object_id=1)
    assert Event.objects.count() == 0


def test_rolled_back_transaction_leaves_no_event_and_seq_stays_gap_free(relaxed_log):
    append(3)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        eventlog.event_append(action="test.thing.failed", actor="system", object_type="x", object_id=9)
        1 / 0  # noqa: B018
    assert not Event.objects.filter(action="test.thing.failed").exists()
    append(2, 3)
    assert list(Event.objects.order_by("seq").values_list("seq", flat=True)) == [0, 1, 2, 3, 4]
    assert eventlog.verify_log().error is None


def test_rolled_back_savepoint_leaves_no_event(db):
    append(2)
    try:
        with transaction.atomic():
            eventlog.event_append(action="test.thing.failed", actor="system", object_type="x", object_id=9)
            raise ValueError
    except ValueError:
        pass
    append(1, 2)
    assert list(Event.objects.values_list("seq", flat=True).order_by("seq")) == [0, 1, 2]


def test_event_fields_and_hashes(db):
    with transaction.atomic():
        ev = eventlog.event_append(action="test.thing.done", actor="worker", object_type="test.thing",
                                   object_id=5, payload={"when": dt.date(2026, 1, 2), "n": 1})
    ev.refresh_from_db()
    assert ev.seq == 0 and ev.object_id == "5" and ev.payload == {"when": "2026-01-02", "n": 1}
    entry = eventlog.canonical_entry(seq=0, action=ev.action, actor=ev.actor, object_type=ev.object_type,
                                     object_id=ev.object_id, payload=ev.payload, created_at=ev.created_at)
    assert json.loads(entry)["object"] == "test.thing:5"
    reference = {"seq": 0, "action": ev.action, "actor": ev.actor, "object": "test.thing:5", "payload": ev.payload,
                 "time": ev.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    assert entry == json.dumps(reference, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert ev.leaf_hash == _h(b"\x00" + entry).hex()
    assert ev.chain_hash == _h(bytes(32) + bytes.fromhex(ev.leaf_hash)).hex()


def test_actor_ref():
    assert eventlog.actor_ref(None) == "anonymous"
    assert eventlog.actor_ref("system") == "system"


# --- Checkpoints ------------------------------------------------------------------------------------


def test_checkpoint_sign_signs_a_verifiable_note(db):
    append(5)
    cp = eventlog.checkpoint_sign(reason="test")
    assert cp.size == 5
    leaves = [bytes.fromhex(h) for h in Event.objects.order_by("seq").values_list("leaf_hash", flat=True)]
    assert cp.root_hash == merkle.root_from_leaves(leaves).hex()
    lines = cp.note.split("\n")
    assert lines[1] == "5" and base64.b64decode(lines[2]).hex() == cp.root_hash
    Ed25519PublicKey.from_public_bytes(base64.b64decode(cp.public_key)).verify(
        base64.b64decode(cp.signature), cp.note.encode())
    # Same size again: no second checkpoint unless forced.
    assert eventlog.checkpoint_sign().pk == cp.pk
    assert eventlog.checkpoint_sign(force=True).pk != cp.pk


def test_checkpoint_of_empty_log(db):
    cp = eventlog.checkpoint_sign()
    assert cp.size == 0 and cp.root_hash == merkle.EMPTY_ROOT.hex()
    assert eventlog.verify_log().error is None


def test_checkpoint_after_unextended_appends_and_tree_extend_restart(db):
    append(10)
    eventlog.tree_extend()
    append(7, 10)  # not in the stored nodes yet: the checkpoint streams the tail
    cp = eventlog.checkpoint_sign()
    leaves = [bytes.fromhex(h) for h in Event.objects.order_by("seq").values_list("leaf_hash", flat=True)]
    assert cp.root_hash == merkle.root_from_leaves(leaves).hex()
    assert eventlog.tree_extend() == 17
    assert MerkleNode.objects.count() == 8 + 4 + 2 + 1  # perfect subtrees of 16 leaves
    for size in range(1, 18):
        assert eventlog.root_at(size) == merkle.root_from_leaves(leaves[:size])


# --- Public API -------------------------------------------------------------------------------------


def test_api_without_checkpoint_is_404(db):
    client = Client()
    for url in ("/api/v1/log/head", "/api/v1/log/proof?index=0"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "no_checkpoint"


def test_api_bad_index_and_size_are_422(db):
    build_log(10, (10,))
    client = Client()
    for query, code in (("index=10", "index_out_of_range"), ("index=-1", "index_out_of_range"),
                        ("index=0&size=11", "size_out_of_range"), ("index=0&size=0", "size_out_of_range"),
                        ("index=5&size=3", "index_out_of_range")):
        response = client.get(f"/api/v1/log/proof?{query}")
        assert response.status_code == 422, query
        assert response.json()["code"] == code, query
    assert client.get("/api/v1/log/proof?index=abc").status_code == 422


def test_every_proof_from_the_api_verifies_against_the_signed_heads(db):
    signed = build_log(150, CHECKPOINT_SIZES)
    client = Client()
    head = client.get("/api/v1/log/head").json()
    assert head["size"] == 150
    Ed25519PublicKey.from_public_bytes(base64.b64decode(head["public_key"])).verify(
        base64.b64decode(head["signature"]), head["note"].encode())
    assert head["note"].split("\n")[2] == base64.b64encode(bytes.fromhex(head["root_hash"])).decode()
    leaves = {seq: bytes.fromhex(h) for seq, h in Event.objects.values_list("seq", "leaf_hash")}
    for cp in signed:
        root = bytes.fromhex(cp.root_hash)
        for index in range(cp.size):
            query = f"index={index}" if cp.size == head["size"] else f"index={index}&size={cp.size}"
            response = client.get(f"/api/v1/log/proof?{query}")
            assert response.status_code == 200, (query, response.content)
            proof = response.json()
            assert proof["tree_size"] == cp.size and proof["root_hash"] == cp.root_hash
            assert bytes.fromhex(proof["leaf_hash"]) == leaves[index]
            path = [bytes.fromhex(p) for p in proof["audit_path"]]
            assert merkle.verify_inclusion(index, cp.size, leaves[index], path, root), query
            assert rfc9162_verify_inclusion(index, cp.size, leaves[index], path, root), query
            if path:
                assert not rfc9162_verify_inclusion(index, cp.size, leaves[index], path[::-1], root) \
                    or len(set(path)) == 1
    # A proof for a size that has no checkpoint (but is within the log) is against the computed root.
    proof = client.get("/api/v1/log/proof?index=3&size=33").json()
    assert proof["root_hash"] == merkle.root_from_leaves([leaves[i] for i in range(33)]).hex()
    assert rfc9162_verify_inclusion(3, 33, leaves[3], [bytes.fromhex(p) for p in proof["audit_path"]],
                                    bytes.fromhex(proof["root_hash"]))


def test_proof_for_events_after_the_last_tree_extend(db):
    append(5)
    eventlog.checkpoint_sign()
    append(6, 5)
    response = Client().get("/api/v1/log/proof?index=9&size=11")
    assert response.status_code == 200
    proof = response.json()
    leaves = [bytes.fromhex(h) for h in Event.objects.order_by("seq").values_list("leaf_hash", flat=True)]
    assert proof["root_hash"] == merkle.root_from_leaves(leaves).hex()
    assert rfc9162_verify_inclusion(9, 11, leaves[9], [bytes.fromhex(p) for p in proof["audit_path"]],
                                    bytes.fromhex(proof["root_hash"]))


# --- verify-log -------------------------------------------------------------------------------------


def test_verify_log_passes_on_intact_log(db):
    build_log(150, CHECKPOINT_SIZES)
    code, out, err = run_verify()
    assert code == 0, err
    assert "log intact: 150 events" in out and "5 signed checkpoints" in out
    report = eventlog.verify_log(batch=7)  # small batches cross the batch boundaries
    assert report.error is None and report.size == 150 and report.checkpoints == 5
    assert report.nodes == MerkleNode.objects.count()


def _altered_value(field: str, event: Event):
    """SQL fragment and parameters that change one column of one event to a different value."""
    if field == "payload":
        return "%s", [json.dumps({**event.payload, "i": -1})]
    if field == "created_at":
        return "%s", [event.created_at + dt.timedelta(microseconds=1000)]
    if field in ("leaf_hash", "chain_hash"):
        old = getattr(event, field)
        return "%s", [("1" if old[0] != "1" else "2") + old[1:]]
    return "%s", [getattr(event, field) + "x"]


FIELDS = ["action", "actor", "object_type", "object_id", "payload", "created_at", "leaf_hash", "chain_hash"]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("seq", [0, 23, 63, 64, 99])
def test_verify_log_names_the_altered_event(db, field, seq):
    build_log(100, (10, 64, 100))
    assert run_verify()[0] == 0
    event = Event.objects.get(seq=seq)
    expr, params = _altered_value(field, event)
    assert raw(f"UPDATE core_event SET {field} = {expr} WHERE seq = %s", [*params, seq]) == 1  # noqa: S608
    assert getattr(Event.objects.get(seq=seq), field) != getattr(event, field)
    code, _out, err = run_verify()
    assert code != 0
    assert "LOG ALTERED" in err and f"#{seq} " in err, err
    assert eventlog.verify_log().first_bad_seq == seq


def test_a_payload_stored_in_its_old_non_canonical_form_still_verifies(db):
    """Rows written before payloads were stored as canonical text (jsonb, or Django's default JSON text)
    verify by what they mean; any change of meaning is still caught above."""
    build_log(30, (30,))
    event = Event.objects.get(seq=12)
    old_form = json.dumps(event.payload)  # spaces after separators, \u-escaped non-ASCII
    assert raw("UPDATE core_event SET payload = %s WHERE seq = %s", [old_form, 12]) == 1
    assert eventlog.verify_log().error is None


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="the in-memory SQLite test database cannot be shared with a second process")
@pytest.mark.parametrize("field", ["payload", "leaf_hash", None])
def test_parallel_verification_agrees_with_the_sequential_one(relaxed_log, field):
    build_log(100, (10, 64, 100))
    if field is not None:
        event = Event.objects.get(seq=41)
        expr, params = _altered_value(field, event)
        assert raw(f"UPDATE core_event SET {field} = {expr} WHERE seq = %s", [*params, 41]) == 1  # noqa: S608
    parallel = eventlog.verify_log(parallel=True)
    sequential = eventlog.verify_log(parallel=False)
    assert (parallel.error, parallel.first_bad_seq) == (sequential.error, sequential.first_bad_seq)
    assert parallel.first_bad_seq == (None if field is None else 41)
    if field is None:
        assert parallel == sequential
        assert parallel.size == 100 and parallel.checkpoints == 3


def test_deleting_the_last_event_after_a_checkpoint_is_detected(db):
    build_log(20, (20,))
    assert raw("DELETE FROM core_event WHERE seq = %s", [19]) == 1
    code, _out, err = run_verify()
    assert code != 0 and "#19" in err and "20" in err, err


def test_deleting_an_event_in_the_middle_is_detected(db):
    build_log(20, (20,))
    raw("DELETE FROM core_event WHERE seq = %s", [8])
    code, _out, err = run_verify()
    assert code != 0 and "#8 is missing" in err, err


def test_rewriting_the_tail_consistently_is_caught_by_the_checkpoint(db):
    """Recompute leaf and chain of an altered last event (as an attacker with the code would): only the
    signed checkpoint catches it."""
    build_log(12, (12,))
    event = Event.objects.get(seq=11)
    prev = Event.objects.get(seq=10).chain_hash
    entry = eventlog.canonical_entry(seq=11, action="test.thing.forged", actor=event.actor,
                                     object_type=event.object_type, object_id=event.object_id,
                                     payload=event.payload, created_at=event.created_at)
    leaf = merkle.leaf_hash(entry)
    raw("UPDATE core_event SET action = %s, leaf_hash = %s, chain_hash = %s WHERE seq = 11",
        ["test.thing.forged", leaf.hex(), _h(bytes.fromhex(prev) + leaf).hex()])
    code, _out, err = run_verify()
    assert code != 0 and "#11" in err and "checkpoint" in err, err


def test_altered_merkle_node_is_detected(db):
    build_log(40, (40,))
    node = MerkleNode.objects.get(level=2, index=3)
    MerkleNode.objects.filter(pk=node.pk).update(hash="0" * 64)
    code, _out, err = run_verify()
    assert code != 0 and "level 2 index 3" in err, err


@pytest.mark.parametrize("change", ["root", "root_and_note", "size"])
def test_altered_checkpoint_is_detected(db, change):
    build_log(30, (16, 30))
    cp = Checkpoint.objects.get(size=16)
    fake_root = "ab" * 32
    if change == "root":
        raw("UPDATE core_checkpoint SET root_hash = %s WHERE id = %s", [fake_root, cp.pk])
    elif change == "root_and_note":
        note = eventlog.checkpoint_note(size=16, root=bytes.fromhex(fake_root), signed_at=cp.signed_at)
        raw("UPDATE core_checkpoint SET root_hash = %s, note = %s WHERE id = %s", [fake_root, note, cp.pk])
    else:
        raw("UPDATE core_checkpoint SET size = 17 WHERE id = %s", [cp.pk])
    code, _out, err = run_verify()
    assert code != 0 and "checkpoint" in err, err


# --- PostgreSQL: the database refuses to change the log -----------------------------------------------


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="append-only triggers exist on PostgreSQL only")
@pytest.mark.parametrize("table", ["core_event", "core_checkpoint"])
@pytest.mark.parametrize("statement", [
    "UPDATE {table} SET {column} = {column}",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
    "TRUNCATE {table} CASCADE",
])
def test_postgresql_refuses_update_delete_truncate(db, table, statement):
    build_log(3, (3,))
    column = "action" if table == "core_event" else "reason"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(table=table, column=column))
    assert Event.objects.count() == 3 and Checkpoint.objects.count() == 1
    assert eventlog.verify_log().error is None


# --- The fast paths of verify_log agree with the ORM reading ------------------------------------------


@pytest.mark.parametrize(("stored", "expected"), [
    ("2026-10-01 02:03:04.005000", "2026-10-01T02:03:04.005000Z"),
    ("2026-10-01 02:03:04", "2026-10-01T02:03:04.000000Z"),  # Django omits a zero fraction
    ("2026-10-01T10:03:04.005+08:00", "2026-10-01T02:03:04.005000Z"),  # not Django's form: parsed
    (dt.datetime(2026, 10, 1, 10, 3, 4, 5000, tzinfo=dt.timezone(dt.timedelta(hours=8))),
     "2026-10-01T02:03:04.005000Z"),
])
def test_canonical_time_of_stored_values(stored, expected):
    assert eventlog._canonical_time(stored) == expected


def test_unreadable_time_is_reported_as_altered(db):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL does not store an unreadable timestamp")
    build_log(5, (5,))
    raw("UPDATE core_event SET created_at = %s WHERE seq = 2", ["yesterday"])
    code, _out, err = run_verify()
    assert code != 0 and "#2 " in err, err


def test_event_with_zero_microseconds_verifies(db):
    with transaction.atomic():
        ev = eventlog.event_append(action="test.thing.done", actor="system", object_type="x", object_id=1)
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    entry = eventlog.canonical_entry(seq=ev.seq, action=ev.action, actor=ev.actor, object_type=ev.object_type,
                                     object_id=ev.object_id, payload=ev.payload, created_at=when)
    leaf = merkle.leaf_hash(entry)
    raw("UPDATE core_event SET created_at = %s, leaf_hash = %s, chain_hash = %s WHERE seq = 0",
        [when, leaf.hex(), _h(bytes(32) + leaf).hex()])
    assert eventlog.verify_log().error is None


@pytest.mark.parametrize("text", ["", "plain", 'quo"te\\back', "招标 ✓ \u2028 \x00 \n", "a:b"])
def test_canonical_entry_is_sorted_compact_json(text):
    when = dt.datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
    payload = {"z": [1, {"b": text, "a": None}], "a": 1.5, text: True}
    entry = eventlog.canonical_entry(seq=12, action=text, actor=text, object_type=text, object_id=text,
                                     payload=payload, created_at=when)
    reference = {"seq": 12, "action": text, "actor": text, "object": f"{text}:{text}", "payload": payload,
                 "time": "2026-05-06T07:08:09.123456Z"}
    assert entry == json.dumps(reference, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="advisory locks exist on PostgreSQL only")
def test_postgresql_append_holds_the_log_lock_until_commit(db):
    key = eventlog._LOG_LOCK_KEY
    with transaction.atomic():
        eventlog.event_append(action="test.thing.done", actor="system", object_type="x", object_id=1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                           "AND classid = %s AND objid = %s AND granted", [key >> 32, key & 0xFFFFFFFF])
            assert cursor.fetchone()[0] == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the server formats the time on PostgreSQL only")
def test_postgresql_formats_the_canonical_time_as_python_does(db):
    when = [dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC), dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
            dt.datetime(2026, 6, 1, 8, 0, 0, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))]
    with connection.cursor() as cursor:
        for value in when:
            cursor.execute("""SELECT to_char(%s::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
                           [value])
            assert cursor.fetchone()[0] == value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_append_many_writes_the_same_log_as_one_append_per_event(db):
    with transaction.atomic():
        eventlog.event_append(action="test.one", actor="system", object_type="test.thing", object_id=1)
        seqs = eventlog.event_append_many([
            {"action": "test.many", "actor": "worker", "object_type": "test.thing", "object_id": i,
             "payload": {"i": i, "名": "值"}} for i in range(5)
        ])
        assert eventlog.event_append_many([]) == []
        eventlog.event_append(action="test.after", actor="system", object_type="test.thing", object_id=9)
    assert seqs == [1, 2, 3, 4, 5]
    assert list(Event.objects.order_by("seq").values_list("action", flat=True)) == [
        "test.one", *["test.many"] * 5, "test.after"]
    assert Event.objects.get(seq=3).payload == {"i": 2, "名": "值"}
    eventlog.checkpoint_sign()
    assert eventlog.verify_log().error is None


def test_append_many_outside_a_transaction_raises(relaxed_log):
    with pytest.raises(RuntimeError):
        eventlog.event_append_many([{"action": "x", "actor": "system"}])
