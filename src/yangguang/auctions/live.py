"""The live room: WebSocket ``/ws/auctions/lots/<id>/``.

Fan-out. Every accepted bid is published once, after its commit, to the channel-layer group of its lot
(``auction.lot.<id>``). Each server process holds one *hub* per lot with connected bidders: the hub is the
only member of the group from that process and forwards each message, serialised once, to the process's
sockets. So a bid placed through process A reaches bidders connected to process B through Redis, at the
cost of one channel-layer message per process instead of one per bidder.

Messages to the client (JSON): ``snapshot`` (state, the last bids by number, your own number), ``bid``
(seq, number, amount, placed_at, countdown_ends_at), ``opened``/``live``/``ended`` (status changes),
``bid_result`` (the outcome of your own socket bid, by idempotency key) and ``time`` (the server's clock
for the client's offset); updates that arrive within a few milliseconds of each other come as one
``{"type": "batch", "items": [...]}`` frame. From the client: ``{"op": "bid", "amount": "…", "key": "…"}`` and
``{"op": "time", "t0": <client ms>}``.

Database work of the sockets runs in a small thread pool of this module whose threads keep their database
connection (a bid costs no connection set-up); the pool size is ``YANGGUANG_AUCTION_DB_THREADS`` (4).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import translation

from .services import refusal_error

log = logging.getLogger(__name__)


def group_name(lot_id: int) -> str:
    return f"auction.lot.{lot_id}"


# ---------------------------------------------------------------- publishing (sync side)

_deferred = threading.local()


def broadcast(lot_id: int, message: dict[str, Any]) -> None:
    """Publish a message to the lot's room in every process. Called after commit. In a socket's database
    thread the message is handed back to the event loop instead (see :func:`_run_db`)."""
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    pending = getattr(_deferred, "items", None)
    if pending is not None:
        pending.append((lot_id, text))
        return
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(lot_id), {"type": "lot.event", "text": text})
    except Exception:  # a lost message loses no bid: clients re-read the state on reconnect
        log.exception("auction broadcast failed for lot %s", lot_id)


_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        size = int(getattr(settings, "YANGGUANG_AUCTION_DB_THREADS", 4))
        _executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="auction-db")
    return _executor


def _in_thread(fn: Callable[[], Any], language: str) -> tuple[Any, list[tuple[int, str]]]:
    _deferred.items = []
    try:
        with translation.override(language):
            return fn(), _deferred.items
    except DatabaseError:
        connection.close()  # a broken connection is replaced on the next call
        raise
    finally:
        _deferred.items = None


async def _run_db(fn: Callable[[], Any], language: str = "zh-hans") -> Any:
    loop = asyncio.get_running_loop()
    result, messages = await loop.run_in_executor(_pool(), _in_thread, fn, language)
    layer = get_channel_layer()
    for lot_id, text in messages:
        if layer is not None:
            try:
                await layer.group_send(group_name(lot_id), {"type": "lot.event", "text": text})
            except Exception:
                log.exception("auction broadcast failed for lot %s", lot_id)
    return result


# ---------------------------------------------------------------- the hub (one per process and lot)


def _hub_preload(lot_id: int) -> dict[str, Any]:
    """What a new hub must know: the lot's fixed terms and every accepted bid so far (sequence, amount and
    the registration and key that placed it)."""
    from . import engine
    from .models import Bid, Lot
    from .states import ENDED_STATUSES

    lot = Lot.objects.only("id", "variant", "increment", "status").get(pk=lot_id)
    cfg = engine.config(lot.variant)
    rows = list(Bid.objects.filter(lot_id=lot_id, accepted=True).values_list(
        "seq", "amount", "registration_id", "idempotency_key"))
    return {"increment": lot.increment, "direction": cfg.direction, "sealed": cfg.sealed,
            "ended": lot.status in ENDED_STATUSES, "bids": rows}


class Hub:
    """The process's member of a lot's group. It forwards each message to the local sockets (several
    messages that arrive within ``YANGGUANG_AUCTION_FANOUT_WINDOW_MS`` go out as one ``batch`` frame) and
    keeps what the process has learnt of the sale: the price at the highest sequence number up to which it
    has seen every accepted bid, and the (registration, key) of those bids.

    That knowledge lets a socket refuse a bid that cannot succeed without a database round trip: the price
    only moves one way, so an amount that does not beat the price at a fully seen sequence number never
    will, and a key that is not among the accepted bids up to that number was not accepted at all (a bid
    accepted later carries a higher amount than the retry's). Retries of accepted bids go to the database.
    """

    def __init__(self, lot_id: int) -> None:
        self.lot_id = lot_id
        self.members: set[LotRoomConsumer] = set()
        self.channel = ""
        self.task: asyncio.Task | None = None
        self.ready = False
        self.increment = Decimal(0)
        self.direction = 1
        self.sealed = True
        self.ended = False
        self.seq = 0  # every accepted bid up to this sequence number has been seen
        self.price: Decimal | None = None
        self.keys: set[tuple[int, str]] = set()
        self.pending: dict[int, tuple[Decimal, tuple[int, str] | None]] = {}
        self.outbox: list[str] = []
        self.flush_scheduled = False

    async def start(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        self.channel = await layer.new_channel("auctionhub.")
        await layer.group_add(group_name(self.lot_id), self.channel)  # before the preload: nothing is missed
        self.task = asyncio.create_task(self._run(layer))
        known = await _run_db(lambda: _hub_preload(self.lot_id))
        self.increment, self.direction, self.sealed = known["increment"], known["direction"], known["sealed"]
        self.ended = self.ended or known["ended"]
        for seq, amount, registration_id, key in known["bids"]:
            self.pending.setdefault(seq, (amount, (registration_id, key)))
        self._advance()
        self.ready = True

    def _advance(self) -> None:
        while self.seq + 1 in self.pending:
            self.seq += 1
            amount, private = self.pending.pop(self.seq)
            self.price = amount
            if private is not None:
                self.keys.add(private)

    def _learn(self, message: dict[str, Any]) -> None:
        private = message.pop("_private", None)
        if message.get("type") == "bid" and isinstance(message.get("seq"), int):
            if message["seq"] > self.seq:
                key = (private["registration"], private["key"]) if private else None
                self.pending.setdefault(message["seq"], (Decimal(message["amount"]), key))
                self._advance()
        elif message.get("type") == "ended":
            self.ended = True

    def refusal(self, registration_id: int | None, amount: Any, key: Any) -> tuple[str, Decimal | None] | None:
        """A refusal that needs no database (see the class docstring), or None: ask the database."""
        if not self.ready or self.sealed or registration_id is None or not isinstance(key, str):
            return None
        if (registration_id, key) in self.keys:
            return None  # a retry of an accepted bid: the database replays it
        try:
            value = Decimal(str(amount))
        except (ArithmeticError, ValueError):
            return None
        if not value.is_finite():
            return None
        if self.ended:
            return "bidding_ended", None
        if self.price is None:
            return None
        limit = self.price + self.increment * self.direction
        if (value < limit) if self.direction > 0 else (value > limit):
            return ("bid_too_low" if self.direction > 0 else "bid_too_high"), limit
        return None

    async def _run(self, layer: Any) -> None:
        while True:
            try:
                message = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("auction hub receive failed for lot %s", self.lot_id)
                await asyncio.sleep(0.5)
                continue
            text = message.get("text")
            if not text:
                continue
            try:
                data = json.loads(text)
            except ValueError:
                continue
            self._learn(data)
            self.outbox.append(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            if not self.flush_scheduled:
                self.flush_scheduled = True
                window = float(getattr(settings, "YANGGUANG_AUCTION_FANOUT_WINDOW_MS", 5)) / 1000
                asyncio.get_running_loop().call_later(window, lambda: asyncio.ensure_future(self._flush()))

    async def _flush(self) -> None:
        items, self.outbox, self.flush_scheduled = self.outbox, [], False
        if not items:
            return
        text = items[0] if len(items) == 1 else '{"type":"batch","items":[' + ",".join(items) + "]}"
        for member in list(self.members):
            try:
                await member.send(text_data=text)
            except Exception:  # a closed socket: its disconnect handler removes it
                self.members.discard(member)

    async def stop(self) -> None:
        layer = get_channel_layer()
        if self.task is not None:
            self.task.cancel()
        if layer is not None and self.channel:
            try:
                await layer.group_discard(group_name(self.lot_id), self.channel)
            except Exception:
                log.exception("auction hub could not leave the group of lot %s", self.lot_id)


_hubs: dict[tuple[int, int], Hub] = {}
_hub_locks: dict[tuple[int, int], asyncio.Lock] = {}


def _hub_key(lot_id: int) -> tuple[int, int]:
    return id(asyncio.get_running_loop()), lot_id


async def hub_join(lot_id: int, member: LotRoomConsumer) -> Hub:
    key = _hub_key(lot_id)
    lock = _hub_locks.setdefault(key, asyncio.Lock())
    async with lock:
        hub = _hubs.get(key)
        if hub is None:
            hub = Hub(lot_id)
            await hub.start()
            _hubs[key] = hub
        hub.members.add(member)
        return hub


async def hub_leave(lot_id: int, member: LotRoomConsumer) -> None:
    key = _hub_key(lot_id)
    lock = _hub_locks.setdefault(key, asyncio.Lock())
    async with lock:
        hub = _hubs.get(key)
        if hub is None:
            return
        hub.members.discard(member)
        if not hub.members:
            del _hubs[key]
            await hub.stop()


# ---------------------------------------------------------------- the consumer


def _enter(user: Any, lot_id: int) -> dict[str, Any] | None:
    from .selectors import room_snapshot

    return room_snapshot(user, lot_id)


def _socket_bid(consumer: LotRoomConsumer, amount: Any, key: Any) -> dict[str, Any]:
    from yangguang.core.errors import ServiceError

    from .models import Lot, Registration
    from .services import bid_place

    hub = consumer.hub
    refusal = hub.refusal(consumer.registration_id, amount, key) if hub is not None else None
    if refusal is not None:  # the sale moved on while this bid waited for a database thread
        return {"op": "bid_result", "key": str(key)[:64], "ok": False, **refusal_error(*refusal).as_dict()}
    try:
        # The lot's fixed terms (variant, increment) and the socket's registration are read once per socket.
        if consumer.lot is None:
            consumer.lot = Lot.objects.only("id", "variant", "increment").get(pk=consumer.lot_id)
        if consumer.registration is None and consumer.registration_id:
            consumer.registration = Registration.objects.filter(pk=consumer.registration_id).first()
        result = bid_place(actor=consumer.user, lot=consumer.lot, amount=amount, idempotency_key=key,
                           registration=consumer.registration)
    except ServiceError as exc:
        return {"op": "bid_result", "key": str(key)[:64], "ok": False, **exc.as_dict()}
    return {"op": "bid_result", "key": str(key)[:64], "ok": True, **result.as_dict()}


def _server_time() -> str:
    from yangguang.core.dbclock import db_now

    return db_now().isoformat()


class LotRoomConsumer(AsyncWebsocketConsumer):
    # No channel per socket: the process's hub is the group member (see the module docstring).
    channel_layer_alias = "__auction_room_without_layer__"
    lot: Any = None
    hub: Hub | None = None
    registration: Any = None
    registration_id: int | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        # The base class closes old database connections on every message; this consumer's database work
        # runs in its own threads (``_run_db``), so the event loop thread has nothing to close.
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.lot_id = int(self.scope["url_route"]["kwargs"]["lot_id"])
        self.user = self.scope.get("user")
        self.language = _language(self.scope)
        snapshot = await _run_db(lambda: _enter(self.user, self.lot_id), self.language)
        if snapshot is None:
            await self.close(code=4403)
            return
        self.registration_id = snapshot.pop("_registration", None)
        await self.accept()
        self.hub = await hub_join(self.lot_id, self)
        self.joined = True
        await self.send(text_data=json.dumps({"type": "snapshot", **snapshot}, ensure_ascii=False))

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            await hub_leave(self.lot_id, self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            message = json.loads(text_data or "")
            op = message.get("op") if isinstance(message, dict) else None
        except ValueError:
            op = None
        if op == "time":
            server_time = await _run_db(_server_time)
            await self.send(text_data=json.dumps({"op": "time", "t0": message.get("t0"), "server_time": server_time}))
            return
        if op == "bid":
            amount, key = message.get("amount"), message.get("key")
            refusal = self.hub.refusal(self.registration_id, amount, key) if self.hub is not None else None
            if refusal is not None:
                with translation.override(self.language):
                    error = refusal_error(*refusal)
                await self.send(text_data=json.dumps({"op": "bid_result", "key": key, "ok": False,
                                                      **error.as_dict()}, ensure_ascii=False))
                return
            reply = await _run_db(lambda: _socket_bid(self, amount, key), self.language)
            await self.send(text_data=json.dumps(reply, ensure_ascii=False))
            return
        with translation.override(self.language):
            text = str(translation.gettext("Unknown message: send {\"op\": \"bid\", \"amount\": …, \"key\": …}."))
        await self.send(text_data=json.dumps({"op": "error", "code": "malformed", "message": text},
                                             ensure_ascii=False))


def _language(scope: dict[str, Any]) -> str:
    """The page's language, from the language cookie or the Accept-Language header (zh-Hans by default)."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    cookie = headers.get("cookie", "")
    for part in cookie.split(";"):
        name, _sep, value = part.strip().partition("=")
        if name == settings.LANGUAGE_COOKIE_NAME and value in dict(settings.LANGUAGES):
            return value
    accept = headers.get("accept-language", "")
    if accept.lower().startswith("en"):
        return "en"
    return settings.LANGUAGE_CODE
