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
from typing import Any

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


def _engine_rate(url_kwargs: dict, lot_id: int, registrations: list[tuple[int, str]], start: float, step: float,
                 connections: int, batch: int, seconds: float) -> tuple[float, float]:
    """PostgreSQL: (accepted bids/s, attempts/s) through ``auctions_bids_place`` alone (lock, checks, bid rows,
    lot update, events, durable commit), ``connections`` callers each sending ``batch`` ascending bids per
    call — no sockets, no Python engine: the database side of the live path, to set against the bare update
    measured in the same run."""
    import itertools
    from decimal import Decimal

    import psycopg

    from yangguang.auctions import engine
    from yangguang.auctions.services import PLACE_SQL, BidItem, place_params

    cfg = engine.config("land_listing")
    counter = itertools.count(1)
    guard = threading.Lock()
    accepted = [0] * connections
    attempts = [0] * connections
    stop = time.perf_counter() + seconds

    def run(index: int) -> None:
        with psycopg.connect(**url_kwargs) as conn:
            while time.perf_counter() < stop:
                with guard:
                    numbers = [next(counter) for _ in range(batch)]
                items = [BidItem(*registrations[n % len(registrations)], Decimal(f"{start + step * n:.2f}"), f"e{n}")
                         for n in numbers]
                rows = conn.execute(PLACE_SQL, place_params(lot_id, cfg, items, defer_refusals=True)).fetchall()
                accepted[index] += sum(1 for row in rows if row[1] == "accepted")
                attempts[index] += len(rows)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    took = time.perf_counter() - began
    return sum(accepted) / took, sum(attempts) / took


async def _client(worker: int, ports: list[int], lot_id: int, cookies: list[str], increment: float,
                  start_price: float, rate: float, seconds: float, mode: str, workers: int, barrier: Any) -> dict:
    """One client process: its share of the bidders' sockets, and its share of the offered rate sent over
    them. Returns the send time of each attempt, every answer, and per sequence number the latest arrival
    among this process's sockets (None if one of them never got it)."""
    from yangguang.auctions.tests.liveclient import Room

    rooms = [Room(ports[i % len(ports)], lot_id, cookie) for i, cookie in enumerate(cookies)]
    began = time.perf_counter()
    for chunk in range(0, len(rooms), 50):
        await asyncio.gather(*(room.connect() for room in rooms[chunk:chunk + 50]))
    connect_time = time.perf_counter() - began
    await asyncio.get_running_loop().run_in_executor(None, barrier.wait)  # every process connected
    rng = random.Random(2026 + worker)
    sent: dict[str, float] = {}
    stop_at = time.perf_counter() + seconds
    interval = workers / rate
    next_at = time.perf_counter() + interval * worker / workers
    n = 0
    while True:
        now = time.perf_counter()
        if now >= stop_at:
            break
        if now < next_at:
            await asyncio.sleep(next_at - now)
            continue
        room = rooms[rng.randrange(len(rooms))]
        index = n * workers + worker  # attempts of all processes interleave in one ascending sequence
        if mode == "ascending":
            amount = f"{start_price + increment * (index + 1):.2f}"
        else:
            seen = max(room.price, start_price)
            amount = f"{seen + increment * rng.choice((1, 1, 2, 3)):.2f}"
        key = f"b{index}"
        n += 1
        sent[key] = time.perf_counter()
        await room.ws.send(f'{{"op":"bid","amount":"{amount}","key":"{key}"}}')
        next_at += interval
    await asyncio.sleep(3.0)  # answers and broadcasts still in flight
    results = {k: r for room in rooms for k, r in room.results.items()}
    answered = {k: t for room in rooms for k, t in room.answered_at.items()}
    seqs = {seq for room in rooms for seq in room.arrivals}
    arrivals: dict[int, float | None] = {}
    for seq in seqs:
        times = [room.arrivals.get(seq) for room in rooms]
        arrivals[seq] = None if any(t is None for t in times) else max(times)  # type: ignore[type-var]
    for room in rooms:
        await room.close()
    return {"sent": sent, "results": results, "answered": answered, "arrivals": arrivals,
            "connect_seconds": connect_time, "offered_seconds": seconds}


def _client_process(worker: int, queue: Any, *args: Any) -> None:
    """The clients stand for 500 browsers on other machines, so they should cost as little as possible here:
    uvloop when installed, and no garbage collection during the short run (a full collection of a process
    holding 250 sockets' state paused every socket it reads for tens of milliseconds)."""
    import gc

    if os.environ.get("CLIENT_GC", "0") != "1":  # CLIENT_GC=1: the collector on, for comparison
        gc.collect()
        gc.disable()
    try:
        import uvloop

        queue.put(uvloop.run(_client(worker, *args)))
    except ImportError:
        queue.put(asyncio.run(_client(worker, *args)))


def _load(ports: list[int], lot_id: int, cookies: list[str], increment: float, start_price: float,
          rate: float, seconds: float, mode: str, workers: int) -> dict:
    """The load from ``workers`` client processes (so the client's own CPU time is spread, and what one
    process receives late does not delay the others); perf_counter is the system's monotonic clock, shared
    by the processes, so send and arrival times compare across them."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    barrier = ctx.Barrier(workers)
    procs = [ctx.Process(target=_client_process, args=(w, queue, ports, lot_id, cookies[w::workers], increment,
                                                        start_price, rate, seconds, mode, workers, barrier))
             for w in range(workers)]
    for proc in procs:
        proc.start()
    parts = [queue.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    sent = {k: t for part in parts for k, t in part["sent"].items()}
    results = {k: r for part in parts for k, r in part["results"].items()}
    accepted = {r["seq"]: k for k, r in results.items() if r.get("ok") and not r.get("replayed")}
    answered = {k: t for part in parts for k, t in part["answered"].items()}
    answers = [(t - sent[k]) * 1000 for k, t in answered.items() if k in sent]
    latencies = []
    missing = 0
    for seq, key in accepted.items():
        arrivals = [part["arrivals"].get(seq) for part in parts]
        if any(a is None for a in arrivals):
            missing += 1
            continue
        latencies.append((max(arrivals) - sent[key]) * 1000)  # type: ignore[type-var]
    return {"attempts_sent": len(sent), "attempts_answered": len(results), "accepted": len(accepted),
            "offered_seconds": seconds, "latencies_ms": latencies, "answers_ms": answers, "updates_missing": missing,
            "connect_seconds": max(part["connect_seconds"] for part in parts), "client_processes": workers}


def main() -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=500)
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=2, help="client processes holding the sockets")
    parser.add_argument("--server-logs", default="", help="keep the server processes' logs in this directory")
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
    # A third lot, live, for the database side of the engine alone (PostgreSQL).
    engine_lot, engine_regs = factories.live_land_lot([factories.bidder(), factories.bidder()], countdown=300,
                                                      increment="1000.00")
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
    engine_rates: dict[str, float] = {}
    if vendor == "postgresql":
        regs = [(r.pk, r.bidding_number) for r in engine_regs]
        for conns, batch in ((threads, 1), (processes, 20)):
            label = f"engine_{batch}_per_call_{conns}_conn"
            rate_accepted, rate_attempts = _engine_rate(url_kwargs, engine_lot.pk, regs,
                                                        float(engine_lot.starting_price), float(engine_lot.increment),
                                                        conns, batch, 3.0)
            engine_rates[f"{label}_accepted_per_s"] = round(rate_accepted, 1)
            engine_rates[f"{label}_vs_bare"] = round(rate_accepted / bare, 3) if bare else 0.0
            print(f"auctions_bids_place alone, {conns} connection(s), {batch} bid(s) per call: {rate_accepted:.0f} "
                  f"accepted/s of {rate_attempts:.0f} attempts/s = {rate_accepted / bare:.2f} x bare")
    with tempfile.TemporaryDirectory() as logs, servers(processes, env=server_env,
                                                        log_dir=Path(args.server_logs or logs)) as ports:
        outcome = _load(ports, lot.pk, cookies, float(lot.increment), float(lot.starting_price), args.rate,
                        args.seconds, args.mode, args.clients)
    lat = outcome.pop("latencies_ms")
    answers = outcome.pop("answers_ms")
    accepted_rate = outcome["accepted"] / outcome["offered_seconds"]
    result = {
        "benchmark": "auction_live", **env, "bidders": args.n, "processes": processes, "rate_offered": args.rate,
        "mode": args.mode,
        "seconds": args.seconds, **{k: round(v, 2) if isinstance(v, float) else v for k, v in outcome.items()},
        "answered_per_s": round(outcome["attempts_answered"] / outcome["offered_seconds"], 1),
        "accepted_per_s": round(accepted_rate, 1), "bare_update_per_s": round(bare, 1), **engine_rates,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "accepted_vs_bare": round(accepted_rate / bare, 3) if bare else None,
        "fanout_p50_ms": round(statistics.median(lat), 1) if lat else None,
        "fanout_p99_ms": round(_percentile(lat, 0.99), 1) if lat else None,
        "fanout_max_ms": round(max(lat), 1) if lat else None,
        "answer_p50_ms": round(statistics.median(answers), 1) if answers else None,
        "answer_p99_ms": round(_percentile(answers, 0.99), 1) if answers else None,
        "target_p99_ms": 100, "target_accepted_vs_bare": 0.5,
    }
    print(f"attempts sent {outcome['attempts_sent']}, answered {outcome['attempts_answered']} "
          f"({result['answered_per_s']}/s), accepted {outcome['accepted']} ({result['accepted_per_s']}/s)")
    print(f"fan-out to all {args.n} bidders: p50 {result['fanout_p50_ms']} ms, p99 {result['fanout_p99_ms']} ms, "
          f"max {result['fanout_max_ms']} ms; updates missing at some bidder: {outcome['updates_missing']}")
    print(f"answer to the bidder (any outcome): p50 {result['answer_p50_ms']} ms, p99 {result['answer_p99_ms']} ms")
    print(f"accepted-bid rate / bare update rate: {result['accepted_vs_bare']}; load average {result['load_average']}")
    return result


if __name__ == "__main__":
    emit(main())
