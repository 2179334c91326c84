"""Shared set-up of the bidding benchmarks (not a benchmark itself): a published tender with N registered
bidders with keys and sessions (bulk rows, not N service calls: the set-up is not what is measured), a raw
HTTP/1.1 client over keep-alive asyncio streams, and a uvicorn server process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from typing import Any

from _common import ROOT

CSRF = "benchcsrftokenbenchcsrftoken0123"  # 32 characters: Django accepts the unmasked secret


def tender_with_bidders(n: int, *, seconds_to_deadline: float) -> dict[str, Any]:
    """A published works tender (opening key 2-of-3), N supplier organisations registered for its lot, each
    with a user, a registered key and a session. Returns the procedure, the lot and [(user, keys, session)]."""
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from yangguang import seal
    from yangguang.accounts import demo as accounts_demo
    from yangguang.accounts.models import Organisation, Region, User
    from yangguang.accounts.states import OrganisationKind, Role
    from yangguang.bidding.models import BidderKey
    from yangguang.bidding.services import key_fingerprint
    from yangguang.catalogue import demo as catalogue_demo
    from yangguang.core.dbclock import db_now
    from yangguang.suppliers.credit_code import credit_code_generate
    from yangguang.tendering.models import Procedure, Registration
    from yangguang.tendering.tests.factories import procedure_published

    accounts_demo.load()
    catalogue_demo.load()
    from yangguang.bidding.models import KeyHolder
    from yangguang.bidding.services import share_download

    procedure = procedure_published()
    for holder in KeyHolder.objects.filter(opening_key__procedure=procedure):  # bids are accepted only then
        share_download(actor=holder.user, holder=holder)
    lot = procedure.lots.get()
    region = Region.objects.get(code="331100")
    orgs = Organisation.objects.bulk_create([
        Organisation(name=f"丽水市压测投标{i:05d}有限公司", kind=OrganisationKind.SUPPLIER, region=region,
                     credit_code=credit_code_generate(region_code="331102", serial=900000 + i)) for i in range(n)])
    unusable = "!"  # no password: the sessions are made directly
    users = User.objects.bulk_create([User(username=f"benchbidder{i:05d}", organisation=o, role=Role.SUPPLIER,
                                           password=unusable) for i, o in enumerate(orgs)])
    now = db_now()
    Registration.objects.bulk_create([Registration(lot=lot, organisation=o, registered_at=now,
                                                   token=f"benchreg{i:024d}", salt="0" * 32)
                                      for i, o in enumerate(orgs)])
    keys = [seal.BidderKeys.generate() for _ in range(n)]
    BidderKey.objects.bulk_create([BidderKey(user=u, organisation=u.organisation, enc_public=k.public_bundle()["enc"],
                                             sign_public=k.public_bundle()["sign"],
                                             fingerprint=key_fingerprint(**_bundle(k)), registered_at=now)
                                   for u, k in zip(users, keys, strict=True)])
    sessions = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    deadline = db_now() + dt.timedelta(seconds=seconds_to_deadline)
    Procedure.objects.filter(pk=procedure.pk).update(effective_bid_deadline=deadline, next_check_at=None)
    procedure.refresh_from_db()
    return {"procedure": procedure, "lot": lot, "bidders": list(zip(users, keys, sessions, strict=True))}


def _bundle(keys: Any) -> dict[str, str]:
    b = keys.public_bundle()
    return {"enc_public": b["enc"], "sign_public": b["sign"]}


def headers(session: str) -> bytes:
    return (f"Cookie: sessionid={session}; csrftoken={CSRF}\r\nX-CSRFToken: {CSRF}\r\n"
            f"Origin: http://127.0.0.1\r\nReferer: http://127.0.0.1/\r\n").encode()


class Connection:
    """One keep-alive HTTP/1.1 connection (asyncio streams)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes, extra: bytes,
                      content_type: str = "application/octet-stream") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Length: {len(body)}\r\n"
                f"Content-Type: {content_type}\r\nConnection: keep-alive\r\n").encode() + extra + b"\r\n"
        self.writer.write(head)
        self.writer.write(body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        data = await self.reader.readexactly(length) if length else b""
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT / "src")]),
           "YANGGUANG_CSRF_TRUSTED_ORIGINS": "http://127.0.0.1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "yangguang.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--lifespan", "off", "--no-access-log"],
        env=env, cwd=str(ROOT))
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, port


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000
