"""The broadcast's direct frame writes (``live.FrameWriter``): a frame built once is what a WebSocket client
reads, through uvicorn's real protocols and a real socket, behind Channels' session wrapper, and every case
the writer does not handle falls back to the ordinary send."""

from __future__ import annotations

import asyncio
import json
import socket
import warnings
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from yangguang.auctions.live import FrameWriter, text_frame

TEXTS = ["{}", json.dumps({"type": "bid", "amount": "1234000.00", "number": "竞买人 7"}, ensure_ascii=False),
         "x" * 125, "y" * 126, "z" * 65535, json.dumps({"items": ["价" * 30000]}, ensure_ascii=False)]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _exchange(ws_impl: str) -> tuple[list[str], list[Any]]:
    import uvicorn
    import websockets
    from channels.sessions import InstanceSessionWrapper
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    found: list[Any] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            return
        await receive()
        wrapped = InstanceSessionWrapper({**scope, "cookies": {}}, send)  # as Channels' middleware hands it on
        wrapped.scope["session"]._wrapped = SessionStore()
        await wrapped.send({"type": "websocket.accept"})
        writer = FrameWriter(wrapped.send)
        found.append(writer.protocol)
        await wrapped.send({"type": "websocket.send", "text": "first"})  # the ordinary path, then direct
        for text in TEXTS:
            assert writer.write(text_frame(text))
        await wrapped.send({"type": "websocket.send", "text": "last"})
        while (await receive())["type"] != "websocket.disconnect":
            pass

    port = _port()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, ws=ws_impl, log_level="warning",
                                               lifespan="off"))
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/", max_size=None) as ws:  # offers permessage-deflate
            got = [await asyncio.wait_for(ws.recv(), 10) for _ in range(len(TEXTS) + 2)]
    finally:
        server.should_exit = True
        await task
    return got, found  # type: ignore[return-value]


@pytest.mark.parametrize("ws_impl", ["websockets", "websockets-sansio"])
def test_frames_written_directly_arrive_in_order(ws_impl: str) -> None:
    # In a thread of its own: a browser test earlier in the session may leave an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        got, found = pool.submit(asyncio.run, _exchange(ws_impl)).result()
    assert found and found[0] is not None, "the writer did not find uvicorn's protocol behind the wrapper"
    assert got == ["first", *TEXTS, "last"]


def test_other_senders_use_the_ordinary_path() -> None:
    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("not called by the writer")

    assert FrameWriter(send).protocol is None
    assert FrameWriter(None).write(text_frame("{}")) is False
    assert FrameWriter(send).write(text_frame("{}")) is False
