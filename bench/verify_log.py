"""How long does a full re-verification of the log take?

Fills the log with N events (rows computed with the product's own canonical_entry / leaf / chain code and
bulk-inserted), builds the Merkle nodes (``tree_extend``), signs a checkpoint, then times ``verify_log()``.

    .venv/bin/python bench/verify_log.py [N]              # default 1,000,000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench .venv/bin/python bench/verify_log.py 1000000
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from _common import emit, setup_django

TARGET_SECONDS_PER_MILLION = 20.0
CHUNK = 20000


def bulk_fill(n: int) -> None:
    """Append n events as event_append would, but in large multi-row inserts (benchmark helper only)."""
    from django.db import connection, transaction

    from yangguang.core import merkle
    from yangguang.core.eventlog import GENESIS_CHAIN, _chain, canonical_entry
    from yangguang.core.models import Event

    fields = [Event._meta.get_field(name) for name in
              ("seq", "action", "actor", "object_type", "object_id", "payload", "created_at", "leaf_hash",
               "chain_hash")]
    payload_field, time_field = fields[5], fields[6]
    sql = (f"INSERT INTO {Event._meta.db_table} ({', '.join(f.column for f in fields)}) "  # noqa: S608 (model metadata, no input)
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    actions = ["projects.project.accepted", "suppliers.supplier.approved", "catalogue.item.changed",
               "accounts.user.created"]
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    prev = GENESIS_CHAIN
    for start in range(0, n, CHUNK):
        rows = []
        for seq in range(start, min(n, start + CHUNK)):
            action = actions[seq % 4]
            object_id = str(seq // 3)
            payload = {"status": "approved", "region": "331121", "n": seq, "codes": ["A01", "B02"]}
            created_at = base + dt.timedelta(milliseconds=seq)
            entry = canonical_entry(seq=seq, action=action, actor=f"user:{seq % 97}", object_type="bench.thing",
                                    object_id=object_id, payload=payload, created_at=created_at)
            leaf = merkle.leaf_hash(entry)
            prev = _chain(prev, leaf)
            rows.append((seq, action, f"user:{seq % 97}", "bench.thing", object_id,
                         payload_field.get_db_prep_save(payload, connection),
                         time_field.get_db_prep_save(created_at, connection), leaf.hex(), prev))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def main(n: int) -> dict:
    env = setup_django()
    from django.db import connection

    from yangguang.core import eventlog
    from yangguang.core.models import MerkleNode

    print(f"database: {env['database']} ({env['database_name']}), Python {env['python']}, Django {env['django']}")
    t0 = time.perf_counter()
    bulk_fill(n)
    fill_s = time.perf_counter() - t0
    print(f"bulk fill {n} events:        {fill_s:8.2f} s")

    t0 = time.perf_counter()
    covered = eventlog.tree_extend()
    extend_s = time.perf_counter() - t0
    print(f"tree_extend ({covered} leaves, {MerkleNode.objects.count()} nodes): {extend_s:8.2f} s")

    t0 = time.perf_counter()
    cp = eventlog.checkpoint_sign(reason="bench")
    sign_s = time.perf_counter() - t0
    print(f"checkpoint_sign (size {cp.size}): {sign_s:8.3f} s")

    # What `yangguang verify-log` does: the two passes in two processes (parallel=True on a file or server
    # database); then the same in one process for comparison.
    timings = {}
    for parallel in (True, False):
        connection.close()
        t0, c0 = time.perf_counter(), time.process_time()
        report = eventlog.verify_log(parallel=parallel)
        timings[parallel] = (time.perf_counter() - t0, time.process_time() - c0)
        assert report.error is None, report.error
        assert report.size == n and report.checkpoints == 1
    target = TARGET_SECONDS_PER_MILLION * n / 1_000_000
    verify_s, verify_cpu_s = timings[True]
    single_s, single_cpu_s = timings[False]
    print(f"verify_log (2 processes):    {verify_s:8.2f} s  ({verify_s / max(n, 1) * 1e6:.1f} µs/event; "
          f"target ≤ {target:.1f} s for {n} events); CPU time of the main process {verify_cpu_s:.2f} s")
    print(f"verify_log (1 process):      {single_s:8.2f} s  ({single_s / max(n, 1) * 1e6:.1f} µs/event); "
          f"CPU {single_cpu_s:.2f} s")
    return {
        "bench": "verify_log", "database": env["database"], "events": n, "fill_s": round(fill_s, 2),
        "tree_extend_s": round(extend_s, 2), "checkpoint_sign_s": round(sign_s, 3),
        "verify_s": round(verify_s, 2), "verify_cpu_s": round(verify_cpu_s, 2),
        "verify_one_process_s": round(single_s, 2), "verify_one_process_cpu_s": round(single_cpu_s, 2),
        "verify_us_per_event": round(verify_s / max(n, 1) * 1e6, 2),
        "nodes": report.nodes, "target_s": round(target, 2), "meets_target": verify_s <= target,
    }


if __name__ == "__main__":
    emit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
