"""Live auction under load: N connected bidders, bids offered at a fixed rate, fan-out latency and the
accepted-bid rate against the bare serialised database update.

    .venv/bin/python bench/auction_live.py [N] [--rate 2000] [--seconds 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench_auctions REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/auction_live.py 500

Set-up: a land lot in its timed session (countdown 300 s, so it does not end during the run); N qualified
bidders, each with a WebSocket in the live room (spread over the server processes: two uvicorn processes when
PostgreSQL and Redis are given, else one). The load generator offers ``rate`` bid attempts per second, each
from a random bidder, for the amount the bidder last saw plus 1–3 increments (so many collide, as in a real
final minute), over that bidder's socket, with a fresh idempotency key.

Measured:
- **fan-out latency**: for each accepted bid, from the moment its attempt was sent to the moment the last of
  the N sockets received the bid's update (the worst bidder); p50/p99 over all accepted bids;
- **accepted-bid rate** (accepted bids per second) and the rate of attempts answered;
- **bare serialised update rate**, in the same run just before the bids: transactions that lock the lot row
  (``SELECT … FOR UPDATE``), update price and count and commit, from as many connections as the engine uses,
  on a second lot row of the same table. This is the ceiling a row-locked engine can reach; the target is an
  accepted-bid rate of at least half of it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path

from _common import emit, setup_django


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _bare_update_rate(url_kwargs: dict, lot_id: int, vendor: str, threads: int, seconds: float) -> float:
    """Serialised row-lock-update-commit transactions per second, ``threads`` connections competing."""
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def run_pg(index: int) -> None:
        import psycopg

        with psycopg.connect(**url_kwargs) as conn:
            while time.perf_counter() < stop:
                with conn.transaction():
                    conn.execute("SELECT current_price FROM auctions_lot WHERE id = %s FOR UPDATE", [lot_id])
                    conn.execute("UPDATE auctions_lot SET current_price = COALESCE(current_price, 0) + 1, "
                                 "bid_count = bid_count + 1 WHERE id = %s", [lot_id])
                done[index] += 1

    def run_sqlite(index: int) -> None:
        import sqlite3

        conn = sqlite3.connect(url_kwargs["path"], timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        while time.perf_counter() < stop:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("SELECT current_price FROM auctions_lot WHERE id = ?", [lot_id]).fetchone()
            conn.execute("UPDATE auctions_lot SET current_price = COALESCE(current_price, 0) + 1, "
                         "bid_count = bid_count + 1 WHERE id = ?", [lot_id])
            conn.execute("COMMIT")
            done[index] += 1
        conn.close()

    target = run_pg if vendor == "postgresql" else run_sqlite
    workers = [threading.Thread(target=target, args=(i,)) for i in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done) / (time.perf_counter() - began)


async def _load(ports: list[int], lot_id: int, cookies: list[str], increment: float, start_price: float,
                rate: float, seconds: float, mode: str) -> dict:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from yangguang.auctions.tests.liveclient import Room

    rooms = [Room(ports[i % len(ports)], lot_id, cookie) for i, cookie in enumerate(cookies)]
    began = time.perf_counter()
    for chunk in range(0, len(rooms), 50):
        await asyncio.gather(*(room.connect() for room in rooms[chunk:chunk + 50]))
    connect_time = time.perf_counter() - began
    rng = random.Random(2026)
    sent: dict[str, float] = {}
    price = [start_price]
    stop_at = time.perf_counter() + seconds
    interval = 1.0 / rate
    next_at = time.perf_counter()
    n = 0
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        if now < next_at:
            await asyncio.sleep(next_at - now)
            continue
        room = rooms[rng.randrange(len(rooms))]
        if mode == "ascending":
            amount = f"{start_price + increment * (n + 1):.2f}"
        else:
            seen = max(room.price, price[0]) or start_price
            amount = f"{seen + increment * rng.choice((1, 1, 2, 3)):.2f}"
        key = f"b{n}"
        n += 1
        sent[key] = time.perf_counter()
        await room.ws.send(f'{{"op":"bid","amount":"{amount}","key":"{key}"}}')
        next_at += interval
    offered_for = time.perf_counter() - (stop_at - seconds)
    await asyncio.sleep(3.0)  # answers and broadcasts still in flight
    results = {k: r for room in rooms for k, r in room.results.items()}
    accepted = {r["seq"]: k for k, r in results.items() if r.get("ok") and not r.get("replayed")}
    latencies = []
    missing = 0
    for seq, key in accepted.items():
        arrivals = [room.arrivals.get(seq) for room in rooms]
        if any(a is None for a in arrivals):
            missing += 1
            continue
        latencies.append((max(arrivals) - sent[key]) * 1000)  # type: ignore[type-var]
    for room in rooms:
        await room.close()
    return {"attempts_sent": n, "attempts_answered": len(results), "accepted": len(accepted),
            "offered_seconds": offered_for, "latencies_ms": latencies, "updates_missing": missing,
            "connect_seconds": connect_time}


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=500)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--mode", choices=["collide", "ascending"], default="collide",
                        help="collide: the amount a bidder last saw plus 1-3 increments (many bids race for the "
                             "same step); ascending: every attempt higher than the one before (all valid unless "
                             "overtaken: the engine's capacity for accepted bids)")
    args = parser.parse_args()
    env = setup_django()
    from django.conf import settings
    from django.db import connection

    from yangguang.accounts import demo as accounts_demo
    from yangguang.auctions.tests import factories
    from yangguang.auctions.tests.liveclient import servers, session_cookie
    from yangguang.auctions.tests.test_concurrency_live import _bidders

    accounts_demo.load()
    lot, _two = factories.live_land_lot([factories.bidder(), factories.bidder()], countdown=300,
                                        increment="1000.00")
    other = factories.make_lot(announce=False)  # a second row of the lot table for the bare update
    users = _bidders(lot, args.n)
    cookies = [session_cookie(user) for user in users]
    redis_url = os.environ.get("REDIS_URL", "")
    vendor = connection.vendor
    processes = 2 if vendor == "postgresql" and redis_url else 1
    db = settings.DATABASES["default"]
    server_env = {"YANGGUANG_LOG_LEVEL": "WARNING", "YANGGUANG_DEBUG": "0"}
    if vendor == "postgresql":
        server_env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        url_kwargs = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"],
                      "dbname": db["NAME"], "autocommit": True}
        if db.get("PASSWORD"):
            url_kwargs["password"] = db["PASSWORD"]
    else:
        url_kwargs = {"path": str(db["NAME"])}
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        server_env["REDIS_URL"] = redis_url
    threads = int(getattr(settings, "YANGGUANG_AUCTION_DB_THREADS", 4)) * processes
    connection.close()
    print(f"{env['database']}: {processes} uvicorn process(es), {args.n} bidders, {args.rate:.0f} attempts/s offered "
          f"for {args.seconds:.0f} s ({args.mode})")
    bare = _bare_update_rate(url_kwargs, other.pk, vendor, threads, 5.0)
    print(f"bare serialised update (lock row, update, commit; {threads} connections): {bare:.0f}/s")
    with tempfile.TemporaryDirectory() as logs, servers(processes, env=server_env, log_dir=Path(logs)) as ports:
        outcome = asyncio.run(_load(ports, lot.pk, cookies, float(lot.increment), float(lot.starting_price),
                                    args.rate, args.seconds, args.mode))
    lat = outcome.pop("latencies_ms")
    accepted_rate = outcome["accepted"] / outcome["offered_seconds"]
    result = {
        "benchmark": "auction_live", **env, "bidders": args.n, "processes": processes, "rate_offered": args.rate,
        "mode": args.mode,
        "seconds": args.seconds, **{k: round(v, 2) if isinstance(v, float) else v for k, v in outcome.items()},
        "answered_per_s": round(outcome["attempts_answered"] / outcome["offered_seconds"], 1),
        "accepted_per_s": round(accepted_rate, 1), "bare_update_per_s": round(bare, 1),
        "accepted_vs_bare": round(accepted_rate / bare, 3) if bare else None,
        "fanout_p50_ms": round(statistics.median(lat), 1) if lat else None,
        "fanout_p99_ms": round(_percentile(lat, 0.99), 1) if lat else None,
        "fanout_max_ms": round(max(lat), 1) if lat else None,
        "target_p99_ms": 100, "target_accepted_vs_bare": 0.5,
    }
    print(f"attempts sent {outcome['attempts_sent']}, answered {outcome['attempts_answered']} "
          f"({result['answered_per_s']}/s), accepted {outcome['accepted']} ({result['accepted_per_s']}/s)")
    print(f"fan-out to all {args.n} bidders: p50 {result['fanout_p50_ms']} ms, p99 {result['fanout_p99_ms']} ms, "
          f"max {result['fanout_max_ms']} ms; updates missing at some bidder: {outcome['updates_missing']}")
    print(f"accepted-bid rate / bare update rate: {result['accepted_vs_bare']}")
    return result


if __name__ == "__main__":
    emit(main())
