"""Drive real server processes: start uvicorn on free ports against a given database and Redis, sign bidders
in by session cookie, and talk to the live room (WebSocket) and the API (a small keep-alive HTTP/1.1 client
on asyncio streams). Used by the multi-process tests and by ``bench/auction_live.py``."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[4]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def servers(count: int, *, env: dict[str, str], log_dir: Path | None = None) -> Iterator[list[int]]:
    """``count`` uvicorn processes of the ASGI application, each on its own port; stopped on exit."""
    ports = [free_port() for _ in range(count)]
    procs: list[subprocess.Popen] = []
    full_env = {**os.environ, **env}
    try:
        for port in ports:
            out = open(log_dir / f"uvicorn-{port}.log", "w") if log_dir else subprocess.DEVNULL  # noqa: SIM115
            procs.append(subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "uvicorn", "yangguang.asgi:application", "--host", "127.0.0.1",
                 "--port", str(port), "--no-access-log", "--log-level", "warning", "--ws",
                 os.environ.get("YANGGUANG_TEST_UVICORN_WS", "websockets")],
                cwd=str(ROOT), env=full_env, stdout=out, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 60
        for port, proc in zip(ports, procs, strict=True):
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"uvicorn on port {port} exited with {proc.returncode}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield ports
    finally:
        for proc in procs:  # only the processes started here, by their handles
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def session_cookie(user: Any) -> str:
    """A signed-in session for ``user`` stored in the database the servers share."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


CSRF = "Yg" * 16  # a 32-character CSRF secret, sent as cookie and header


class Http:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port = port
        self.cookie = f"{cookie}; csrftoken={CSRF}"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        data = json.dumps(body).encode()
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nCookie: {self.cookie}\r\n"
                f"X-CSRFToken: {CSRF}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n")
        self.writer.write(head.encode() + data)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _sep, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        payload = await self.reader.readexactly(length) if length else b"{}"
        return status, json.loads(payload)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Room:
    """A WebSocket in a lot's live room; collects every message it receives with its arrival time."""

    port: int
    lot_id: int
    cookie: str = ""
    ws: Any = None
    bids: dict[int, dict[str, Any]] = field(default_factory=dict)
    arrivals: dict[int, float] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    answered_at: dict[str, float] = field(default_factory=dict)
    waiters: dict[str, asyncio.Future] = field(default_factory=dict)
    ended: list[dict[str, Any]] = field(default_factory=list)
    snapshot: dict[str, Any] | None = None
    price: float = 0.0
    task: asyncio.Task | None = None

    async def connect(self) -> None:
        import websockets
        from websockets.typing import Origin

        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/ws/auctions/lots/{self.lot_id}/", origin=Origin(f"http://127.0.0.1:{self.port}"),
            additional_headers=headers, max_queue=None, open_timeout=30, ping_interval=None)
        first = json.loads(await self.ws.recv())
        assert first["type"] == "snapshot", first
        self.snapshot = first
        self.price = float(first["lot"]["current_price"] or 0)
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            now = time.perf_counter()
            message = json.loads(raw)
            for item in message["items"] if message.get("type") == "batch" else [message]:
                self._take(item, now)

    def _take(self, message: dict[str, Any], now: float) -> None:
        kind = message.get("type") or message.get("op")
        if kind == "bid":
            self.bids.setdefault(message["seq"], message)
            self.arrivals.setdefault(message["seq"], now)
            self.price = max(self.price, float(message["amount"]))
        elif kind == "bid_result":
            self.results.setdefault(message["key"], message)
            self.answered_at.setdefault(message["key"], now)
            waiter = self.waiters.pop(message["key"], None)
            if waiter is not None and not waiter.done():
                waiter.set_result(message)
        elif kind == "ended":
            self.ended.append(message)

    async def bid(self, amount: str, key: str) -> dict[str, Any]:
        waiter: asyncio.Future = asyncio.get_running_loop().create_future()
        self.waiters[key] = waiter
        await self.ws.send(json.dumps({"op": "bid", "amount": amount, "key": key}))
        return await waiter

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            self.task.cancel()
