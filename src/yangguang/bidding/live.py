"""The opening hall, live: WebSocket ``/ws/bidding/openings/<lot id>/``.

Each change of the opening (a bid decrypted or failed, the remedy path, a bidder's confirmation or
objection, the record closed) publishes, after its commit, a fresh snapshot of the record to the channel
layer group of the lot; every socket in the hall receives it. A socket gets the snapshot on connect, so a
lost message costs nothing but a moment's delay (the page also re-reads on reconnect).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)


def group_name(lot_id: int) -> str:
    return f"bidding.opening.{lot_id}"


def snapshot(lot_id: int) -> dict[str, Any]:
    from .models import Opening
    from .selectors import opening_rows, shares_presented

    opening = Opening.objects.select_related("lot").get(lot_id=lot_id)
    return {"type": "record", "status": opening.status, "window_ends_at": opening.window_ends_at.isoformat(),
            "record_sha256": opening.record_sha256, "rows": opening_rows(opening),
            "shares": shares_presented(opening.lot.procedure_id)}


# Changes of one lot within this many seconds are published as one snapshot (per server process). A
# snapshot reads every row of the record, so publishing one per decrypted bid made opening N bids cost
# O(N²); coalesced, a burst of decryptions costs a few snapshots.
COALESCE_SECONDS = 0.25
# A snapshot's cost grows with the record (a 1,000-bid record: ~50 ms to read and encode on the VM of
# docs/performance-bidding.md), and it runs in the same process as the decryptions it reports. The wait
# before the next one is at least SPACING × the last one's cost, so publishing takes at most 1 / (1 +
# SPACING) of the process's time however large the record: ~0.25 s between updates for a few dozen bids,
# ~0.5 s for a thousand.
SPACING = 9.0
_pending: set[int] = set()
_pending_lock = threading.Lock()
_cost: dict[int, float] = {}


def broadcast_later(lot_id: int) -> None:
    """Publish the lot's snapshot to the hall shortly (called on commit); changes arriving meanwhile are
    covered by the same snapshot, which is read when it is sent."""
    if get_channel_layer() is None:
        return
    with _pending_lock:
        if lot_id in _pending:
            return
        _pending.add(lot_id)
    timer = threading.Timer(max(COALESCE_SECONDS, SPACING * _cost.get(lot_id, 0.0)), _send, args=(lot_id,))
    timer.daemon = True
    timer.start()


def _send(lot_id: int) -> None:
    # Cleared before the snapshot is read: a change committed from now on schedules its own publication.
    with _pending_lock:
        _pending.discard(lot_id)
    layer = get_channel_layer()
    started = time.perf_counter()
    try:
        text = json.dumps(snapshot(lot_id), ensure_ascii=False, separators=(",", ":"), default=str)
        async_to_sync(layer.group_send)(group_name(lot_id), {"type": "hall.event", "text": text})
    except Exception:  # the hall re-reads the record on reconnect; a lost message loses nothing
        log.exception("opening broadcast failed for lot %s", lot_id)
    finally:
        _cost[lot_id] = time.perf_counter() - started
        close_old_connections()
        connection.close()


def _allowed_snapshot(user: Any, lot_id: int) -> dict[str, Any] | None:
    from yangguang.tendering.models import Lot

    from .access import hall_visible

    lot = Lot.objects.select_related("procedure__project__centre").filter(pk=lot_id).first()
    if lot is None or not hall_visible(user, lot):
        return None
    return snapshot(lot_id)


class OpeningHallConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.lot_id = int(self.scope["url_route"]["kwargs"]["lot_id"])
        user = self.scope.get("user")
        first = await database_sync_to_async(_allowed_snapshot)(user, self.lot_id)
        if first is None:
            await self.close(code=4403)
            return
        await self.accept()
        if self.channel_layer is not None:
            await self.channel_layer.group_add(group_name(self.lot_id), self.channel_name)
        await self.send(text_data=json.dumps(first, ensure_ascii=False, default=str))

    async def disconnect(self, code: int) -> None:
        if self.channel_layer is not None and hasattr(self, "lot_id"):
            await self.channel_layer.group_discard(group_name(self.lot_id), self.channel_name)

    async def hall_event(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])
