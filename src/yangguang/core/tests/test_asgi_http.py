"""The HTTP handler of yangguang/asgi.py (core/asgi_http.py): whole requests in one hop to a thread pool."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from yangguang.core.asgi_http import PooledASGIHandler

SEEN: dict[str, object] = {}


@csrf_exempt
def _echo(request: HttpRequest) -> JsonResponse:
    SEEN["thread"] = threading.current_thread().name
    return JsonResponse({"method": request.method, "body": request.body.decode(), "q": request.GET.get("q", ""),
                         "lang": request.LANGUAGE_CODE})


def _db(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return JsonResponse({"one": cursor.fetchone()[0]})


async def _later(value: str) -> str:
    await asyncio.sleep(0)
    return value.upper()


def _bridge(request: HttpRequest) -> HttpResponse:
    # A sync view calling async code (the Channels layer's group_send does this), on the server's loop.
    return HttpResponse(async_to_sync(_later)("ok"))


def _file(request: HttpRequest) -> FileResponse:
    return FileResponse(Path(str(SEEN["file"])).open("rb"), content_type="application/octet-stream")


def _slow(request: HttpRequest) -> HttpResponse:
    time.sleep(0.2)
    return HttpResponse("slow")


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("echo", _echo), path("db", _db), path("bridge", _bridge), path("file", _file),
               path("slow", _slow), path("boom", _boom)]


async def _call(app: PooledASGIHandler, method: str, target: str, body: bytes = b"",
                headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, dict[bytes, bytes], bytes]:
    route, _sep, query = target.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": route, "raw_path": route.encode(), "query_string": query.encode(),
             "root_path": "", "headers": [(b"host", b"testserver"), *(headers or [])],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    chunks = [body[i:i + 1000] for i in range(0, len(body), 1000)] or [b""]
    inbox = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent: list[dict] = []

    async def receive() -> dict:
        return inbox.pop(0) if inbox else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    assert start["type"] == "http.response.start"
    return start["status"], dict(start["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


def _run(coroutine: Any) -> Any:
    """asyncio.run on a thread of its own (a browser test's Playwright keeps a loop running on this one)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture
def app() -> Iterator[PooledASGIHandler]:
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        yield PooledASGIHandler(threads=2)


def test_a_request_runs_on_a_pool_thread_with_its_body_query_and_middleware(app: PooledASGIHandler) -> None:
    status, headers, body = _run(_call(app, "POST", "/echo?q=%E9%98%B3", b"x" * 2500,
                                              [(b"accept-language", b"en"), (b"content-type", b"text/plain")]))
    assert status == 200
    data = json.loads(body)
    assert data == {"method": "POST", "body": "x" * 2500, "q": "阳", "lang": "en"}
    assert str(SEEN["thread"]).startswith("http")  # the pool, not a thread made for the request
    assert headers[b"X-Frame-Options"] == b"DENY"  # the middleware ran (clickjacking)


def test_bodies_in_memory_and_spilled_to_disk_arrive_whole(app: PooledASGIHandler) -> None:
    """Up to FILE_UPLOAD_MAX_MEMORY_SIZE the pieces are joined in memory; a larger body goes to a temporary
    file as soon as it passes the limit. Both reach the view byte for byte."""
    small = bytes(range(256)) * 5  # 2,560 bytes as hex, in 3 pieces
    large = bytes(range(256)) * 40  # 20,480 bytes as hex, in 21 pieces
    with override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=3000):
        for body in (small, large):
            status, _headers, out = _run(_call(app, "POST", "/echo", body.hex().encode(),
                                               [(b"content-type", b"text/plain")]))
            assert status == 200 and json.loads(out)["body"] == body.hex()

        async def read(body: bytes) -> Any:
            pieces = [{"type": "http.request", "body": body[i:i + 1000], "more_body": i + 1000 < len(body)}
                      for i in range(0, len(body), 1000)]

            async def receive() -> dict:
                return pieces.pop(0)

            return await app.read_body(receive)

        kept, spilled = _run(read(small.hex().encode())), _run(read(large.hex().encode()))
        assert isinstance(kept, io.BytesIO) and kept.read() == small.hex().encode()
        assert not isinstance(spilled, io.BytesIO) and spilled.read() == large.hex().encode()
        spilled.close()


@pytest.mark.usefixtures("relaxed_log")  # the views run on other threads: committed data only
def test_database_views_and_async_code_inside_a_view(app: PooledASGIHandler) -> None:
    async def both() -> list:
        return [await _call(app, "GET", "/db"), await _call(app, "GET", "/bridge")]

    (status, _h, body), (status2, _h2, body2) = _run(both())
    assert (status, json.loads(body)) == (200, {"one": 1})
    assert (status2, body2) == (200, b"OK")


def test_files_stream_and_errors_are_answered(app: PooledASGIHandler, tmp_path: Path) -> None:
    target = tmp_path / "blob.bin"
    target.write_bytes(bytes(range(256)) * 4096 * 3 + b"tail")  # 3 MiB and a bit: four blocks
    SEEN["file"] = target
    status, _h, body = _run(_call(app, "GET", "/file"))
    assert status == 200 and body == target.read_bytes()
    assert _run(_call(app, "GET", "/missing"))[0] == 404
    assert _run(_call(app, "GET", "/boom"))[0] == 500


def test_requests_run_concurrently_up_to_the_pool_size(app: PooledASGIHandler) -> None:
    async def four() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(_call(app, "GET", "/slow") for _ in range(4)))
        return time.perf_counter() - started

    elapsed = _run(four())
    # Two threads: four 0.2 s requests take two rounds, not one (unbounded) and not four (serialised).
    assert 0.38 <= elapsed < 0.75, elapsed
