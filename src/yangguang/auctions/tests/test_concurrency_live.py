"""200 bidders fire 20,000 bids at once at one lot in its timed session, through two uvicorn processes that
share the PostgreSQL database and the Redis channel layer. The bidders' sockets are spread over both
processes; one bidder in twenty bids over HTTP instead. Afterwards the database, the event log and what each
process's watchers received must tell one consistent story.

PostgreSQL only (SQLite is one file for one machine's processes and serialises every write anyway) and only
with ``YANGGUANG_TEST_REDIS_URL`` (set by ``.ci/run``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from yangguang.accounts.models import Organisation, Region, User
from yangguang.accounts.states import OrganisationKind, Role
from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.core.models import Event

from ..models import Bid, Lot, Registration
from ..states import DepositStatus, LotStatus, RegistrationStatus
from .factories import live_land_lot
from .liveclient import Http, Room, servers, session_cookie

REDIS = os.environ.get("YANGGUANG_TEST_REDIS_URL", "")
BIDDERS = int(os.environ.get("YANGGUANG_TEST_AUCTION_BIDDERS", "200"))
BIDS_EACH = int(os.environ.get("YANGGUANG_TEST_AUCTION_BIDS_EACH", "100"))
HTTP_EVERY = 20  # every twentieth bidder uses the HTTP API

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="multi-process test: needs PostgreSQL shared by two server processes"),
    pytest.mark.skipif(not REDIS, reason="needs Redis for the channel layer: set YANGGUANG_TEST_REDIS_URL"),
]


def _bidders(lot: Lot, count: int) -> list[User]:
    """Qualified bidders who asked to continue, created in bulk (qualification itself is tested elsewhere)."""
    region = Region.objects.get(code="331100")
    orgs = Organisation.objects.bulk_create([
        Organisation(name=f"并发竞买人{i:03d}有限公司", kind=OrganisationKind.SUPPLIER, region=region)
        for i in range(count)])
    users = User.objects.bulk_create([User(username=f"crowd{i:03d}", role=Role.SUPPLIER, organisation=org,
                                           password="!")  # noqa: S106 - no password: session sign-in
                                      for i, org in enumerate(orgs)])
    numbers = random.sample(range(100000, 1000000), count)
    Registration.objects.bulk_create([
        Registration(lot=lot, organisation=org, applied_by=user, status=RegistrationStatus.QUALIFIED,
                     deposit_ref=f"YGDCROWD{i:05d}", deposit_status=DepositStatus.HELD, deposit_paid=lot.deposit,
                     bidding_number=str(numbers[i]), live_requested=True)
        for i, (org, user) in enumerate(zip(orgs, users, strict=True))])
    return users


async def _crowd(ports: list[int], lot_id: int, cookies: list[str], increment: float, start: float
                 ) -> tuple[list[set[int]], list[int], dict[str, dict], dict[str, dict], float, dt.datetime | None]:
    watchers = [Room(port, lot_id) for port in ports for _ in range(2)]
    for room in watchers:
        await room.connect()
    sockets = [Room(ports[i % len(ports)], lot_id, cookie) for i, cookie in enumerate(cookies)
               if i % HTTP_EVERY]
    for room in sockets:
        await room.connect()
    https = [Http(ports[i % len(ports)], cookie) for i, cookie in enumerate(
        c for j, c in enumerate(cookies) if not j % HTTP_EVERY)]
    go = asyncio.Event()
    outcomes: dict[str, dict] = {}
    retries: dict[str, dict] = {}
    price_seen = [start]

    def next_amount(rng: random.Random, seen: float) -> str:
        base = max(seen, price_seen[0])
        return f"{base + increment * rng.choice((1, 1, 1, 2, 3)) - (increment if rng.random() < 0.1 else 0):.2f}"

    async def socket_bidder(index: int, room: Room) -> None:
        rng = random.Random(index)  # noqa: S311 - test load
        await go.wait()
        for n in range(BIDS_EACH):
            key = f"s{index}-{n}"
            amount = next_amount(rng, room.price)
            reply = await room.bid(amount, key)
            outcomes[key] = {**reply, "sent": amount}
            if reply["ok"]:
                price_seen[0] = max(price_seen[0], float(reply["amount"]))
            if n % 25 == 24:  # a retry with the same key must return the first outcome
                room.results.pop(key, None)
                retries[key] = await room.bid(amount, key)  # a retry repeats the request

    async def http_bidder(index: int, http: Http) -> None:
        rng = random.Random(10_000 + index)  # noqa: S311 - test load
        await go.wait()
        for n in range(BIDS_EACH):
            key = f"h{index}-{n}"
            amount = next_amount(rng, 0.0)
            status, body = await http.post(f"/api/v1/auctions/lots/{lot_id}/bids",
                                           {"amount": amount, "idempotency_key": key})
            outcomes[key] = {"ok": status == 201, "status": status, "sent": amount, **body}
            if status == 201:
                price_seen[0] = max(price_seen[0], float(body["amount"]))

    tasks = [asyncio.create_task(socket_bidder(i, room)) for i, room in enumerate(sockets)]
    tasks += [asyncio.create_task(http_bidder(i, http)) for i, http in enumerate(https)]
    began = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    await asyncio.sleep(1.0)  # the last broadcasts
    for http in https:
        await http.close()
    seen = [set(room.bids) for room in watchers]
    # The countdown ends once: two chronograph runs (two threads, two connections) race for the close.
    before_close = await asyncio.to_thread(_close_twice, lot_id)
    await asyncio.sleep(1.0)
    ended = [len(room.ended) for room in watchers]
    for room in [*watchers, *sockets]:
        await room.close()
    return seen, ended, outcomes, retries, elapsed, before_close


def _close_twice(lot_id: int) -> dt.datetime | None:
    before = Lot.objects.get(pk=lot_id).countdown_ends_at
    Lot.objects.filter(pk=lot_id).update(countdown_ends_at=db_now() - dt.timedelta(seconds=5),
                                         next_check_at=db_now() - dt.timedelta(seconds=1))
    connection.close()
    barrier = threading.Barrier(2)

    def close() -> None:
        barrier.wait()
        try:
            chronograph_run()
        finally:
            connection.close()

    threads = [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return before


def test_two_hundred_bidders_twenty_thousand_bids_two_processes(demo, relaxed_log, settings, tmp_path):
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    # The layer the servers use with REDIS_URL (settings.py): this process's chronograph publishes the end.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                                           "CONFIG": {"hosts": [REDIS]}}}
    lot, _two = _live_lot()
    users = _bidders(lot, BIDDERS)
    cookies = [session_cookie(user) for user in users]
    env = {"DATABASE_URL": _database_url(), "REDIS_URL": REDIS, "YANGGUANG_DEBUG": "1",
           "YANGGUANG_LOG_LEVEL": "WARNING"}
    with servers(2, env=env, log_dir=tmp_path) as ports:
        # In a thread of its own: a browser test earlier in the session leaves an event loop in this one.
        with ThreadPoolExecutor(1) as pool:
            seen, ended, outcomes, retries, elapsed, countdown_end = pool.submit(asyncio.run, _crowd(
                ports, lot.pk, cookies, float(lot.increment), float(lot.starting_price) - float(lot.increment))
            ).result()
        lot.refresh_from_db()
        accepted = list(Bid.objects.filter(lot=lot, accepted=True).order_by("seq"))
        n = len(accepted)
        print(f"\n{len(outcomes)} bids in {elapsed:.1f} s ({len(outcomes) / elapsed:.0f}/s), {n} accepted")

        # Every bid got an answer: accepted, or refused with a reason; the accepted ones are exactly the
        # accepted rows (none lost, none invented, none twice).
        assert len(outcomes) == BIDDERS * BIDS_EACH
        refusals = {o.get("code") for o in outcomes.values() if not o["ok"]}
        assert refusals <= {"bid_too_low"}, refusals
        ok_keys = [k for k, o in outcomes.items() if o["ok"]]
        assert sorted(ok_keys) == sorted(b.idempotency_key for b in accepted)
        assert {o["seq"] for o in outcomes.values() if o["ok"]} == set(range(1, len(ok_keys) + 1))
        for key, reply in retries.items():  # a retry returned the first outcome
            first = outcomes[key]
            assert reply["ok"] == first["ok"] and reply.get("seq") == first.get("seq"), (key, first, reply)
        # Every accepted bid strictly beats the one before by at least the increment; times never go back;
        # the countdown restarted exactly on each accepted bid.
        assert [b.seq for b in accepted] == list(range(1, n + 1)) and n >= 10
        for before, after in itertools.pairwise(accepted):
            assert after.amount >= before.amount + lot.increment
            assert after.placed_at is not None and before.placed_at is not None
            assert after.placed_at >= before.placed_at
        for b in accepted:
            assert b.placed_at is not None
            assert b.countdown_ends_at == b.placed_at + dt.timedelta(seconds=lot.countdown_seconds)
        assert lot.bid_count == n and lot.current_price == accepted[-1].amount  # (bids do not change at close)
        assert countdown_end == accepted[-1].countdown_ends_at
        assert accepted[-1].amount == max(b.amount for b in accepted)
        # No refused bid was a valid one: each was below the final price plus the increment.
        too_low = [Decimal(o["sent"]) for o in outcomes.values() if not o["ok"]]
        assert max(too_low) < lot.current_price + lot.increment
        # The public log has one event per accepted bid, in the same order.
        logged = [e.payload["seq"] for e in Event.objects.filter(
            action="auctions.bid.accepted", payload__contains=f'"lot":{lot.pk},').order_by("seq")]
        assert logged == list(range(1, n + 1))
        # Watchers on both processes saw every accepted bid, whichever process took it.
        for got in seen:
            assert got == set(range(1, n + 1)), n - len(got)
        # The sale ended once, and every watcher heard it once.
        lot.refresh_from_db()
        assert lot.status == LotStatus.SOLD and lot.final_price == accepted[-1].amount
        assert Event.objects.filter(action__in=["auctions.lot.sold", "auctions.lot.failed"],
                                    object_id=str(lot.pk)).count() == 1
        assert ended == [1] * len(ended)


def _live_lot() -> tuple[Lot, list]:
    from .factories import bidder

    return live_land_lot([bidder(), bidder()], countdown=300, starting_price="10000000.00", increment="10000.00",
                         reserve_price="10000000.00")


def _database_url() -> str:
    cfg = connection.settings_dict
    return f"postgres://{cfg['USER']}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{cfg['NAME']}"
