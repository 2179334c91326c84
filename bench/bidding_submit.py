"""A burst of sealed-bid submits in the last minute before the deadline: receipt latency and none lost.

N bidders (default 1,000) have uploaded their sealed parts earlier (set-up, not measured); in the measured
window (WINDOW seconds, default 60) each sends its small signed manifest — POST /api/v1/bidding/lots/<lot>/bids
— at a time scheduled evenly over the window (open loop: latency counts from the scheduled time, so queueing
counts). Each answer is the receipt: log index, leaf, inclusion proof under a signed log head. The server is
``uvicorn yangguang.asgi:application`` (WORKERS processes, default 2) on the benchmark database. Afterwards:
every submit got 201, the database holds exactly N submitted bids, and a sample of receipts verifies.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench_bidding .venv/bin/python bench/bidding_submit.py [N]

Environment: WINDOW (60), WORKERS (2), CONNECTIONS (client keep-alive connections, 32).
Target: p99 receipt latency ≤ 200 ms, none lost.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import statistics
import sys
import time

from _common import emit, setup_django
from bidding_common import Connection, headers, percentile, start_server, tender_with_bidders

WINDOW = float(os.environ.get("WINDOW", "60"))
WORKERS = int(os.environ.get("WORKERS", "2"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "32"))


def prepare(n: int) -> tuple[dict, list[tuple[str, bytes]]]:
    """Bidders, their sealed price sheets uploaded (through the services), their signed manifests."""
    from yangguang import seal
    from yangguang.bidding import services
    from yangguang.bidding.tests.sealing import price_sheet

    setup = tender_with_bidders(n, seconds_to_deadline=WINDOW + 600)
    procedure, lot = setup["procedure"], setup["lot"]
    opening_public = procedure.opening_key.public_key
    bodies = []
    for i, (user, keys, session) in enumerate(setup["bidders"]):
        bidder = user.organisation.credit_code
        dek = seal.content_key_new("INTL-1")
        aad = seal.bid_aad(tender=procedure.code, lot=lot.number, bidder=bidder, version=1, part="price.json",
                           suite="INTL-1")
        out = io.BytesIO()
        seal.seal_stream(dek, io.BytesIO(price_sheet(str(4000000 + i))), out, suite="INTL-1", aad=aad)
        data = out.getvalue()
        sha = hashlib.sha256(data).hexdigest()
        upload = services.upload_start(actor=user, lot=lot, name="price.json", size=len(data), sha256=sha,
                                       chunk_size=64 * 1024)
        services.upload_chunk(actor=user, upload=upload, index=0, data=data, sha256=sha)
        key_aad = seal.bid_aad(tender=procedure.code, lot=lot.number, bidder=bidder, version=1,
                               part=services.KEY_PART, suite="INTL-1")
        bundle = keys.public_bundle()
        manifest = {"tender": procedure.code, "lot": lot.number, "bidder": bidder, "version": 1, "suite": "INTL-1",
                    "parts": [{"name": "price.json", "sha256": sha, "size": len(data)}], "price_part": "price.json",
                    "key": services.key_fingerprint(bundle["enc"], bundle["sign"]),
                    "wrapped": {"bidder": seal.wrap_key(dek, bundle["enc"], suite="INTL-1", aad=key_aad),
                                "opening": seal.wrap_key(dek, opening_public, suite="INTL-1", aad=key_aad)}}
        signature = seal.sign_message(seal.canonical_json(manifest), keys.sign_private)
        body = json.dumps({"manifest": manifest, "signature": signature, "idempotency_key": f"bench-{i}"}).encode()
        bodies.append((session, body))
    return setup, bodies


async def burst(port: int, lot_id: int, bodies: list[tuple[str, bytes]]) -> tuple[list[float], list[str], list[bytes]]:
    pool: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        pool.put_nowait(Connection("127.0.0.1", port))
    latencies: list[float] = []
    errors: list[str] = []
    receipts: list[bytes] = []

    async def warm(k: int) -> None:  # both workers import, connect and load their keys before the window
        conn = await pool.get()
        try:
            await conn.request("GET", f"/api/v1/bidding/lots/{lot_id}/context", b"", headers(bodies[k][0]))
        finally:
            pool.put_nowait(conn)

    for _ in range(3):
        await asyncio.gather(*(warm(k % len(bodies)) for k in range(CONNECTIONS)))
    start = time.perf_counter() + 0.5
    step = WINDOW / len(bodies)

    async def one(i: int, session: str, body: bytes) -> None:
        scheduled = start + i * step
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        conn = await pool.get()
        try:
            status, data = await conn.request("POST", f"/api/v1/bidding/lots/{lot_id}/bids", body,
                                              headers(session), content_type="application/json")
        except Exception as exc:  # counted as an error
            conn.close()
            conn = Connection("127.0.0.1", port)
            errors.append(repr(exc))
            return
        finally:
            pool.put_nowait(conn)
        latencies.append(time.perf_counter() - scheduled)
        by_slot[min(9, i * 10 // len(bodies))].append(latencies[-1])
        if status != 201:
            errors.append(f"{status} {data[:200]!r}")
        elif i % 50 == 0:
            receipts.append(data)

    by_slot: list[list[float]] = [[] for _ in range(10)]
    await asyncio.gather(*(one(i, s, b) for i, (s, b) in enumerate(bodies)))
    print("  p99 by tenth of the window (ms):", [round(percentile(x, 99)) for x in by_slot if x], flush=True)
    return latencies, errors, receipts


def main(n: int) -> dict:
    env = setup_django()
    print(f"preparing {n} bidders (set-up, not measured)…", flush=True)
    setup, bodies = prepare(n)
    server, port = start_server(WORKERS)
    try:
        load_before = os.getloadavg()
        latencies, errors, receipts = asyncio.run(burst(port, setup["lot"].pk, bodies))
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=20)
    from yangguang.bidding.models import Bid
    from yangguang.bidding.services import receipt_verify

    stored = Bid.objects.filter(lot=setup["lot"], status="submitted").count()
    verified = sum(receipt_verify(json.loads(r)["receipt"]) for r in receipts)
    p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
    print(f"  submits {len(latencies)}  errors {len(errors)}  stored {stored}  "
          f"receipts verified {verified}/{len(receipts)}")
    print(f"  receipt latency p50 {p50:.1f} ms  p95 {p95:.1f} ms  p99 {p99:.1f} ms  max {max(latencies) * 1000:.1f} ms")
    print(f"  load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    if errors:
        print("  first errors:", errors[:3])
    met = p99 <= 200 and not errors and stored == n
    print(f"target (p99 ≤ 200 ms, none lost): {'met' if met else 'NOT met'}", flush=True)
    return {"benchmark": "bidding_submit", "bids": n, "window_s": WINDOW, **env, "workers": WORKERS,
            "p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "p99_ms": round(p99, 1),
            "mean_ms": round(statistics.mean(latencies) * 1000, 1), "errors": len(errors), "stored": stored,
            "receipts_verified": f"{verified}/{len(receipts)}",
            "load_avg_1min": [round(load_before[0], 2), round(load_after[0], 2)], "target_met": met}


if __name__ == "__main__":
    emit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
