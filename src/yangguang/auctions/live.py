"""The live room: WebSocket ``/ws/auctions/lots/<id>/``.

Fan-out. Every accepted bid is published once, after its commit, to the channel-layer group of its lot
(``auction.lot.<id>``). Each server process holds one *hub* per lot with connected bidders: the hub is the
only member of the group from that process and forwards each message, serialised once, to the process's
sockets. So a bid placed through process A reaches bidders connected to process B through Redis, at the
cost of one channel-layer message per process instead of one per bidder. The hub builds each WebSocket frame
once and writes it straight to the sockets' transports (:class:`FrameWriter`); the channel layer with Redis
is the pub/sub one (settings), so the other process gets the message pushed, not polled.

Messages to the client (JSON): ``snapshot`` (state, the last bids by number, your own number), ``bid``
(seq, number, amount, placed_at, countdown_ends_at), ``opened``/``live``/``ended`` (status changes),
``bid_result`` (the outcome of your own socket bid, by idempotency key) and ``time`` (the server's clock
for the client's offset); updates that arrive within a few milliseconds of each other come as one
``{"type": "batch", "items": [...]}`` frame. From the client: ``{"op": "bid", "amount": "…", "key": "…"}`` and
``{"op": "time", "t0": <client ms>}``.

Bids. A socket bid that cannot beat the price the hub knows is refused in memory. On PostgreSQL the others
go to the hub's :class:`BidBatcher`: one asynchronous connection per process and lot, used from the event
loop, that sends every bid queued while its previous call ran in one call of ``auctions_bids_place``
(migration 0002) — one round trip and one commit for the batch, no thread. Other database work of the
sockets (entering the room, the clock, SQLite, sealed offers, a sale still to be opened) runs in a small
thread pool of this module whose threads keep their database connection; its size is
``YANGGUANG_AUCTION_DB_THREADS`` (4).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import translation

from yangguang.core.errors import ServiceError

from . import engine
from .services import (
    PLACE_SQL,
    BidItem,
    PlaceOutcome,
    bid_item,
    judging_order,
    place_outcome,
    place_params,
    refusal_error,
)

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


# ---------------------------------------------------------------- frames written once for many sockets


def text_frame(text: str) -> bytes:
    """A complete, unfragmented, uncompressed WebSocket text frame as a server sends it (RFC 6455 §5.2: no
    mask). Uncompressed frames are valid on a connection that negotiated permessage-deflate (RFC 7692 §6:
    RSV1 clear) and leave the compression context untouched."""
    data = text.encode()
    size = len(data)
    if size < 126:
        head = bytes((0x81, size))
    elif size < 65536:
        head = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return head + data


_WRITE_BUFFER_LIMIT = 1 << 20  # a client this far behind gets the awaited path, which waits for it


class FrameWriter:
    """Writes a pre-encoded frame straight to a socket's transport, for the broadcast of one frame to
    hundreds of sockets: the ASGI ``websocket.send`` path costs ~40 µs of Python per socket and frame
    (Channels' send, uvicorn's checks, the WebSocket library's framing and per-connection compression, an
    await of the transport's drain), the direct write ~10 µs (measured with 250 sockets, docs/
    performance-auctions.md).

    Only for uvicorn's two ``websockets`` protocol implementations, found by unwrapping the ASGI send
    callable the socket was given (Channels' session wrapper keeps the server's callable as ``real_send``),
    and only while the protocol is open, its transport is not closing and its write buffer is small. Every
    other case — another server, a closing socket, a slow reader — returns False: the caller uses the
    ordinary awaited send. Frames keep their order: the library writes each frame to the transport in one
    call, before any await."""

    def __init__(self, send: Any) -> None:
        self.protocol = _server_protocol(send)

    def write(self, frame: bytes) -> bool:
        protocol = self.protocol
        if protocol is None:
            return False
        transport = protocol.transport
        if transport is None or transport.is_closing() or transport.get_write_buffer_size() > _WRITE_BUFFER_LIMIT:
            return False
        conn = getattr(protocol, "conn", None)  # websockets-sansio: the sans-I/O connection holds the state
        state = conn.state if conn is not None else getattr(protocol, "state", None)
        if getattr(state, "name", "") != "OPEN" or getattr(protocol, "close_sent", False):
            return False
        transport.write(frame)
        return True


def _server_protocol(send: Any) -> Any:
    for _depth in range(8):
        owner = getattr(send, "__self__", None)
        if owner is None:
            return None
        if type(owner).__module__.startswith("uvicorn.protocols.websockets.websockets"):
            # The application's send: ``asgi_send`` (websockets) or ``send`` (websockets-sansio).
            return owner if getattr(send, "__name__", "") in ("asgi_send", "send") and hasattr(owner, "transport") \
                else None
        send = getattr(owner, "real_send", None)
    return None


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
    return {"variant": lot.variant, "increment": lot.increment, "direction": cfg.direction, "sealed": cfg.sealed,
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
        self.variant = ""
        self.batcher: BidBatcher | None = None
        self.delivered: set[int] = set()  # sequence numbers this process sent to its sockets itself

    async def start(self) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        self.channel = await layer.new_channel("auctionhub.")
        await layer.group_add(group_name(self.lot_id), self.channel)  # before the preload: nothing is missed
        self.task = asyncio.create_task(self._run(layer))
        known = await _run_db(lambda: _hub_preload(self.lot_id))
        self.increment, self.direction, self.sealed = known["increment"], known["direction"], known["sealed"]
        self.variant = known["variant"]
        self.batcher = BidBatcher(self)
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
            texts = message.get("texts") or ([message["text"]] if message.get("text") else [])
            for text in texts:
                try:
                    data = json.loads(text)
                except ValueError:
                    continue
                seq = data.get("seq") if data.get("type") == "bid" else None
                if isinstance(seq, int) and seq in self.delivered:
                    self.delivered.discard(seq)  # this process's own bid, already sent to the local sockets
                    continue
                self._deliver(data)

    def deliver_local(self, message: dict[str, Any]) -> None:
        """An accepted bid decided by this process (after its commit): to the local sockets at once, without
        waiting for its round trip through the channel layer (whose copy is then dropped)."""
        seq = message.get("seq")
        if isinstance(seq, int):
            if len(self.delivered) > 10000:
                self.delivered.clear()  # copies lost in the channel layer would otherwise accumulate
            self.delivered.add(seq)
        self._deliver(dict(message))

    def _deliver(self, data: dict[str, Any]) -> None:
        self._learn(data)
        self.outbox.append(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
        if not self.flush_scheduled:
            self.flush_scheduled = True
            window = float(getattr(settings, "YANGGUANG_AUCTION_FANOUT_WINDOW_MS", 5)) / 1000
            asyncio.get_running_loop().call_later(window, lambda: asyncio.ensure_future(self._flush()))

    async def _flush(self) -> None:
        """Send what the outbox holds to every local socket, one frame per flush, encoded once (see
        :class:`FrameWriter`). Updates that arrive during a flush wait at least as long as that flush took (up
        to 200 ms) before the next one: under load several updates share a frame, so fan-out never takes much
        more than half of the loop's time and the bids' answers keep flowing; on a quiet loop the window is
        the configured few milliseconds."""
        base = float(getattr(settings, "YANGGUANG_AUCTION_FANOUT_WINDOW_MS", 5)) / 1000
        try:
            while self.outbox:
                items, self.outbox = self.outbox, []
                text = items[0] if len(items) == 1 else '{"type":"batch","items":[' + ",".join(items) + "]}"
                began = time.perf_counter()
                frame = text_frame(text)
                slow: list[LotRoomConsumer] = []
                for member in list(self.members):
                    if not member.frames.write(frame):
                        slow.append(member)  # another server, or a socket whose client reads slowly
                for member in slow:
                    try:
                        await member.send(text_data=text)
                    except Exception:  # a closed socket: its disconnect handler removes it
                        self.members.discard(member)
                if self.outbox:
                    await asyncio.sleep(max(base, min(time.perf_counter() - began, 0.2)))
        finally:
            self.flush_scheduled = False

    async def stop(self) -> None:
        layer = get_channel_layer()
        if self.task is not None:
            self.task.cancel()
        if self.batcher is not None:
            await self.batcher.close()
        if layer is not None and self.channel:
            try:
                await layer.group_discard(group_name(self.lot_id), self.channel)
            except Exception:
                log.exception("auction hub could not leave the group of lot %s", self.lot_id)


# ---------------------------------------------------------------- the bid batcher (PostgreSQL)


def _conninfo() -> dict[str, Any]:
    db = settings.DATABASES["default"]
    info = {"dbname": db["NAME"], "user": db.get("USER") or None, "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    return {k: v for k, v in info.items() if v is not None}


@dataclass
class _Waiting:
    consumer: LotRoomConsumer
    item: BidItem
    future: asyncio.Future


class BidBatcher:
    """The bids of one lot from this process's sockets, decided by ``auctions_bids_place`` (migration 0002)
    on the process's own asynchronous PostgreSQL connection, straight from the event loop: no thread, so the
    database work never waits for the interpreter lock while it holds the lot's row lock.

    Bids that arrive while a call is running queue here and go together in the next call (at most
    ``YANGGUANG_AUCTION_BATCH_MAX``), judged one after another against the running price, in one
    transaction and one commit. They share one arrival instant (the call's start by the database clock),
    so they are judged in price order, equal amounts in arrival order (``services.judging_order``).
    Durability: the call is its own transaction; a bid's answer and its live update are sent only after
    that commit returned (a batch with an accepted bid commits synchronously; a batch of refusals only does
    not wait for the disk).
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.queue: list[_Waiting] = []
        self.task: asyncio.Task | None = None
        self.conn: Any = None
        self.cfg = engine.config(hub.variant)
        self.limit = int(getattr(settings, "YANGGUANG_AUCTION_BATCH_MAX", 100))

    def submit(self, consumer: LotRoomConsumer, item: BidItem) -> asyncio.Future:
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self.queue.append(_Waiting(consumer, item, future))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._drain())
        return future

    async def _connection(self) -> Any:
        if self.conn is None or self.conn.closed:
            import psycopg

            self.conn = await psycopg.AsyncConnection.connect(autocommit=True, **_conninfo())
        return self.conn

    async def _drain(self) -> None:
        while self.queue:
            batch, self.queue = self.queue[:self.limit], self.queue[self.limit:]
            ready: list[_Waiting] = []
            for waiting in batch:  # the sale may have moved on while these waited
                refusal = self.hub.refusal(waiting.consumer.registration_id, waiting.item.amount, waiting.item.key)
                if refusal is not None:
                    waiting.future.set_result(("refused", refusal))
                else:
                    ready.append(waiting)
            if not ready:
                continue
            try:
                await self._decide(ready)
            except Exception:  # the thread path decides them (a committed bid is replayed by its key)
                log.exception("auction bid batch of lot %s could not be answered", self.hub.lot_id)
            for waiting in ready:
                if not waiting.future.done():
                    waiting.future.set_result(("outcome", None))

    async def _decide(self, ready: list[_Waiting]) -> None:
        lot_id = self.hub.lot_id
        ready = [ready[i] for i in judging_order([w.item for w in ready], self.cfg)]  # one arrival instant
        params = place_params(lot_id, self.cfg, [w.item for w in ready], defer_refusals=True)
        try:
            conn = await self._connection()
            cursor = await conn.execute(PLACE_SQL, params)
            rows = await cursor.fetchall()
        except Exception:
            log.exception("auction bid batch failed for lot %s; the bids go the thread path", lot_id)
            await self.close()
            rows = []
        by_index = {row[0]: row for row in rows}
        texts: list[str] = []
        for index, waiting in enumerate(ready, start=1):
            row = by_index.get(index)
            outcome: PlaceOutcome | None = None
            if row is not None:
                with translation.override(waiting.consumer.language):
                    outcome = place_outcome(lot_id, waiting.item.registration_id, waiting.item.key, row)
                if outcome.message is not None:
                    texts.append(json.dumps(outcome.message, ensure_ascii=False, separators=(",", ":")))
                    self.hub.deliver_local(outcome.message)  # the local sockets, and later refusals, at once
            if not waiting.future.done():
                waiting.future.set_result(("outcome", outcome))
        # Committed: the answers above and the other processes' copies below (one message for the batch).
        layer = get_channel_layer()
        if texts and layer is not None:
            event: dict[str, Any] = {"type": "lot.event", "text": texts[0]} if len(texts) == 1 else {
                "type": "lot.event", "texts": texts}
            try:
                await layer.group_send(group_name(lot_id), event)
            except Exception:  # a lost message loses no bid: clients re-read the state on reconnect
                log.exception("auction broadcast failed for lot %s", lot_id)

    async def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:
                log.exception("closing the auction bid connection failed")


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


def _enter(user: Any, lot_id: int) -> tuple[dict[str, Any] | None, Any, bool]:
    """The room's snapshot for this user, the user's registration (a bidder) and whether the user's bids
    may go through the batcher."""
    from .models import Lot, Registration
    from .selectors import room_snapshot
    from .services import bids_batchable

    snapshot = room_snapshot(user, lot_id)
    registration_id = snapshot.get("_registration") if snapshot else None
    if not registration_id:
        return snapshot, None, False
    registration = Registration.objects.filter(pk=registration_id).first()
    variant = Lot.objects.filter(pk=lot_id).values_list("variant", flat=True).first() or ""
    return snapshot, registration, bool(variant) and bids_batchable(user, registration, variant)


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
    batchable = False
    frames = FrameWriter(None)  # replaced on accept by the socket's own writer

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
        snapshot, self.registration, self.batchable = await _run_db(lambda: _enter(self.user, self.lot_id),
                                                                    self.language)
        if snapshot is None:
            await self.close(code=4403)
            return
        self.registration_id = snapshot.pop("_registration", None)
        await self.accept()
        self.frames = FrameWriter(self.base_send)
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
                await self.reply(_refusal_reply(self.language, refusal, key))
                return
            reply = await self._batched_bid(amount, key) if self.batchable else None
            if reply is None:
                reply = await _run_db(lambda: _socket_bid(self, amount, key), self.language)
            await self.reply(json.dumps(reply, ensure_ascii=False))
            return
        with translation.override(self.language):
            text = str(translation.gettext("Unknown message: send {\"op\": \"bid\", \"amount\": …, \"key\": …}."))
        await self.send(text_data=json.dumps({"op": "error", "code": "malformed", "message": text},
                                             ensure_ascii=False))

    async def reply(self, text: str) -> None:
        """One message to this socket: written directly when possible (:class:`FrameWriter`), else sent."""
        if not self.frames.write(text_frame(text)):
            await self.send(text_data=text)

    async def _batched_bid(self, amount: Any, key: Any) -> dict[str, Any] | None:
        """The bid through the hub's batcher; None: the thread path must decide it (the sale is still to be
        opened, a concurrent retry took the key, or the database call failed)."""
        hub = self.hub
        if hub is None or hub.batcher is None or self.registration is None:
            return None
        short_key = str(key)[:64]
        try:
            with translation.override(self.language):
                item = bid_item(self.registration, amount, key)
        except ServiceError as exc:
            return {"op": "bid_result", "key": short_key, "ok": False, **exc.as_dict()}
        kind, value = await hub.batcher.submit(self, item)
        if kind == "refused":
            with translation.override(self.language):
                error = refusal_error(*value)
            return {"op": "bid_result", "key": short_key, "ok": False, **error.as_dict()}
        outcome: PlaceOutcome | None = value
        if outcome is None or outcome.kind in ("python", "conflict"):
            return None
        if outcome.error is not None:
            return {"op": "bid_result", "key": short_key, "ok": False, **outcome.error.as_dict()}
        assert outcome.result is not None
        return {"op": "bid_result", "key": short_key, "ok": True, **outcome.result.as_dict()}


_REFUSAL_TEXTS: dict[tuple[str, str, Decimal | None], str] = {}


def _refusal_reply(language: str, refusal: tuple[str, Decimal | None], key: Any) -> str:
    """The answer to a bid refused in memory. Under a flood most bids are refused for the same few limits,
    so the translated error is built once per (language, code, limit) and only the key differs."""
    cache_key = (language, *refusal)
    body = _REFUSAL_TEXTS.get(cache_key)
    if body is None:
        with translation.override(language):
            error = refusal_error(*refusal)
        body = json.dumps(error.as_dict(), ensure_ascii=False)[1:-1]
        if len(_REFUSAL_TEXTS) > 256:
            _REFUSAL_TEXTS.clear()
        _REFUSAL_TEXTS[cache_key] = body
    return f'{{"op":"bid_result","key":{json.dumps(key, ensure_ascii=False)},"ok":false,{body}}}'


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
