"""Killing the server in the middle of an upload leaves no partial bid; the bidder resumes on a new server
process and finishes (issue 5). Real uvicorn processes on the test database, a real SIGKILL mid-request."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
import time
from pathlib import Path

import pytest
from django.db import connection

from yangguang.auctions.tests.liveclient import servers, session_cookie

from .. import services
from ..models import Bid, Upload
from .sealing import price_sheet, seal_bid

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="server processes need a database they can share (PostgreSQL)")

CSRF = "killtestcsrftokenkilltestcsrf0123"[:32]  # Django accepts an unmasked 32-character secret
CHUNK = 1 << 20


def _database_url() -> str:
    cfg = connection.settings_dict
    return f"postgres://{cfg['USER']}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{cfg['NAME']}"


def _headers(cookie: str, port: int) -> dict[str, str]:
    return {"Cookie": f"{cookie}; csrftoken={CSRF}", "X-CSRFToken": CSRF, "Origin": f"http://127.0.0.1:{port}",
            "Referer": f"http://127.0.0.1:{port}/"}


def _call(port: int, cookie: str, method: str, path: str, body: bytes = b"",
          extra: dict[str, str] | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={**_headers(cookie, port), **(extra or {})})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def _put_chunk(port: int, cookie: str, upload: str, index: int, data: bytes) -> tuple[int, dict]:
    return _call(port, cookie, "PUT", f"/api/v1/bidding/uploads/{upload}/chunks/{index}", data,
                 {"X-Chunk-SHA256": hashlib.sha256(data).hexdigest(), "Content-Type": "application/octet-stream"})


def _pid_listening(port: int) -> int:
    """The uvicorn process serving ``port`` (started by ``servers``; found through /proc, Linux only)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":
            inode = fields[9]
    assert inode is not None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in (proc / "fd").iterdir()):
                return int(proc.name)
        except OSError:
            continue
    raise AssertionError("no process listens on the port")


@pytest.mark.usefixtures("relaxed_log")
def test_a_server_killed_mid_upload_leaves_no_partial_bid_and_the_bidder_resumes(tender, settings, tmp_path):
    _procedure, lot, bidders = tender
    user, keys = bidders[0]
    sealed = seal_bid(user, keys, lot, parts={"price.json": price_sheet(), "technical.pdf": os.urandom(3 * CHUNK)})
    data = sealed.envelopes["technical.pdf"]
    cookie = session_cookie(user)
    env = {"DATABASE_URL": _database_url(), "YANGGUANG_VAR_DIR": str(Path(settings.MEDIA_ROOT).parent),
           "YANGGUANG_DEBUG": "1"}
    announce = json.dumps({"name": "technical.pdf", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                           "chunk_size": CHUNK}).encode()

    with servers(1, env=env, log_dir=tmp_path) as (port,):
        status, started = _call(port, cookie, "POST", f"/api/v1/bidding/lots/{lot.pk}/uploads", announce,
                                {"Content-Type": "application/json"})
        assert status == 201, started
        upload_id = started["id"]
        assert _put_chunk(port, cookie, upload_id, 0, data[:CHUNK])[0] == 200
        # Chunk 1 is half sent when the server is killed (SIGKILL: no clean-up of any kind).
        piece = data[CHUNK:2 * CHUNK]
        raw = socket.create_connection(("127.0.0.1", port))
        head = "".join(f"{k}: {v}\r\n" for k, v in _headers(cookie, port).items())
        raw.sendall((f"PUT /api/v1/bidding/uploads/{upload_id}/chunks/1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                     f"{head}X-Chunk-SHA256: {hashlib.sha256(piece).hexdigest()}\r\n"
                     f"Content-Length: {len(piece)}\r\n\r\n").encode() + piece[:len(piece) // 2])
        time.sleep(0.3)
        os.kill(_pid_listening(port), 9)
        raw.close()
        time.sleep(0.5)

    upload = Upload.objects.get(public_id=upload_id)
    assert upload.status == "receiving" and services.upload_missing(upload) == [1, 2, 3]
    assert not Bid.objects.exists()  # nothing half-made

    with servers(1, env=env, log_dir=tmp_path) as (port,):
        status, state = _call(port, cookie, "GET", f"/api/v1/bidding/uploads/{upload_id}")
        assert status == 200 and state["missing"] == [1, 2, 3]
        for index in state["missing"]:
            status, state = _put_chunk(port, cookie, upload_id, index, data[index * CHUNK:(index + 1) * CHUNK])
            assert status == 200, state
        assert state["status"] == "complete" and state["missing"] == []

    price = sealed.envelopes["price.json"]
    small = services.upload_start(actor=user, lot=lot, name="price.json", size=len(price),
                                  sha256=hashlib.sha256(price).hexdigest(), chunk_size=64 * 1024)
    services.upload_chunk(actor=user, upload=small, index=0, data=price, sha256=hashlib.sha256(price).hexdigest())
    bid = services.bid_submit(actor=user, lot=lot, manifest=sealed.manifest, signature=sealed.signature)
    assert bid.status == "submitted"
    stored = bid.parts.get(name="technical.pdf")
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert hashlib.sha256((Path(settings.MEDIA_ROOT) / stored.path).read_bytes()).hexdigest() == stored.sha256
