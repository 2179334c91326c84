"""Django's HTTP handler for ASGI, run the way a threaded WSGI server runs Django: the whole request — the
``request_started`` signal, every middleware and the view — in one hop to a fixed pool of worker threads.

Why (measured, docs/performance-musttrade.md "Third pass"): Django's stock ``ASGIHandler`` runs each request
in a ``ThreadSensitiveContext``, which starts a new OS thread for the request and joins it at the end, and
it loads the middleware in async mode, so each sync middleware (WhiteNoise and every ``MiddlewareMixin``)
costs a hop between the event loop and that thread on the way in and again on the way out. On the reference
VM that was 7.1 ms of CPU for ``/healthz`` (0.13 ms for a bare ASGI app under the same uvicorn), which
capped a worker process at ~140 requests per second whatever the view did. Every view of this project is
synchronous, so the middleware is loaded in sync mode and the chain runs in one call.

The hop uses asgiref's ``sync_to_async(thread_sensitive=False, executor=...)``: the request's context
variables travel with it (Django's per-request database connections among them) and ``async_to_sync``
inside a view (the Channels layer's ``group_send``) is scheduled on the server's event loop, as before.
A plain response is closed in the same hop — its body is already in memory, and closing it fires
``request_finished``, which hands the request's database connections back. A streaming response (files
only, here) is read block by block on the pool — Django would read a file whole into memory to serve it
from an async handler — and closed after it is sent, as Django does.

``YANGGUANG_HTTP_THREADS`` (settings) bounds the requests one process runs at once (default 8); further
requests wait for a thread, in arrival order.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.db import close_old_connections
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

FILE_BLOCK = 1 << 20  # bytes per read of a file being sent (one hop to the pool each)


class PooledASGIHandler(ASGIHandler):
    def __init__(self, threads: int | None = None) -> None:
        BaseHandler.__init__(self)  # not ASGIHandler.__init__: it loads the middleware in async mode
        self.load_middleware(is_async=False)
        count = threads or int(getattr(settings, "YANGGUANG_HTTP_THREADS", 8))
        self._executor = ThreadPoolExecutor(max_workers=count, thread_name_prefix="http")
        self._respond_async = sync_to_async(self._respond, thread_sensitive=False, executor=self._executor)
        self._close_async = sync_to_async(self._close, thread_sensitive=False, executor=self._executor)
        self._next_async = sync_to_async(self._next, thread_sensitive=False, executor=self._executor)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response = await self._respond_async(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:
                    await self._close_async(response)
        finally:
            body_file.close()

    async def read_body(self, receive: Any) -> Any:
        """The request body as a file. Up to ``FILE_UPLOAD_MAX_MEMORY_SIZE`` the received pieces are joined
        once into one bytes object behind a ``BytesIO``, which shares it, so ``request.body`` is that same
        object (no further copy); Django's handler wrote every piece into a ``SpooledTemporaryFile`` (an
        in-memory buffer grown by reallocation) and copied it out again — measured, 44 % of the interpreter
        time of a worker receiving 4 MiB upload chunks (docs/performance-bidding.md). A larger body goes to
        a temporary file on disk, as with Django's handler."""
        pieces: list[bytes] = []
        size = 0
        spill: Any = None
        limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if spill is not None:
                    spill.close()
                raise RequestAborted()
            if body := message.get("body", b""):
                if spill is not None:
                    spill.write(body)
                else:
                    pieces.append(body)
                    size += len(body)
                    if size > limit:
                        spill = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed by __call__
                        spill.writelines(pieces)
                        pieces = []
            if not message.get("more_body", False):
                break
        if spill is not None:
            spill.seek(0)
            return spill
        return io.BytesIO(b"".join(pieces))

    def _respond(self, scope: dict[str, Any], body_file: Any) -> HttpResponseBase:
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            assert error_response is not None
            response: HttpResponseBase = error_response
        else:
            response = self.get_response(request)
            response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):
            response.block_size = FILE_BLOCK
        if response.streaming and not response.is_async:  # type: ignore[attr-defined]
            # Django would read a sync iterator (a file) whole into memory to serve it asynchronously; pull it
            # block by block on the pool instead.
            response.streaming_content = self._pull(iter(response.streaming_content))  # type: ignore[attr-defined]
        if not response.streaming:
            response.close()  # fires request_finished: the connections go back now, in this thread
        else:
            close_old_connections()  # the file is sent after this; the view's connections are done
        return response

    @staticmethod
    def _close(response: HttpResponseBase) -> None:
        response.close()

    async def _pull(self, iterator: Iterator[bytes]) -> AsyncIterator[bytes]:
        while (block := await self._next_async(iterator)) is not None:
            yield block

    @staticmethod
    def _next(iterator: Iterator[bytes]) -> bytes | None:
        return next(iterator, None)
