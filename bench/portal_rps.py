"""Portal throughput: home and list pages against a bare Django view, same server, one run.

Sets up a throwaway SQLite database (the embedded mode) with the accounts demo, the notices demo and N
extra notices (bulk insert), starts one uvicorn process serving the product plus a bare view that returns a
constant page through the same middleware, and drives it with a keep-alive HTTP/1.1 load generator
(asyncio, C concurrent connections). Targets run in interleaved rounds so machine noise hits all alike.

    .venv/bin/python bench/portal_rps.py [N]      # extra notices, default 20,000
    PORTAL_RPS_CONN_MAX_AGE=60 .venv/bin/python bench/portal_rps.py   # variant: persistent DB connections
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time

from _common import ROOT, emit, setup_django

CONCURRENCY = 8
ROUND_SECONDS = 3.0
ROUNDS = 5
TARGETS = {
    "bare_view": "/bench/bare/",
    "home": "/",
    "list": "/announcements/",
    "list_filtered": "/announcements/?category=construction&region=331121",
    "list_search": "/announcements/?q=%E6%96%BD%E5%B7%A5",  # 施工
}


async def _worker(host: str, port: int, path: str, stop: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Language: zh-hans\r\n\r\n".encode()
    try:
        while time.perf_counter() < stop:
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length)
            if status != 200 or not body:
                raise RuntimeError(f"{path}: HTTP {status}")
            counts[0] += 1
    finally:
        writer.close()


async def _round(host: str, port: int, path: str) -> float:
    counts = [0]
    start = time.perf_counter()
    stop = start + ROUND_SECONDS
    await asyncio.gather(*(_worker(host, port, path, stop, counts) for _ in range(CONCURRENCY)))
    return counts[0] / (time.perf_counter() - start)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(n: int) -> dict:
    os.environ.pop("DATABASE_URL", None)  # the embedded mode: SQLite
    env = setup_django()

    from notice_search import fill

    from yangguang.accounts import demo as accounts_demo
    from yangguang.notices import demo as notices_demo

    accounts_demo.load()
    print("notices demo:", notices_demo.load(), flush=True)
    fill(n)
    port = _free_port()
    server_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal_bench_settings",
                  "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT / "src")])}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "yangguang.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--log-level", "warning", "--lifespan", "off", "--no-access-log"],
        env=server_env, cwd=str(ROOT))
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        rates: dict[str, list[float]] = {name: [] for name in TARGETS}
        for path in TARGETS.values():  # warm-up: caches filled, code paths compiled
            asyncio.run(_round("127.0.0.1", port, path))
        for r in range(ROUNDS):
            order = list(TARGETS.items()) if r % 2 == 0 else list(reversed(TARGETS.items()))
            for name, path in order:
                rates[name].append(asyncio.run(_round("127.0.0.1", port, path)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    bare = statistics.median(rates["bare_view"])
    results = {}
    for name, samples in rates.items():
        rps = statistics.median(samples)
        results[name] = {"rps": round(rps, 1), "ratio_to_bare": round(rps / bare, 3)}
        print(f"  {name:<14} {rps:8.1f} req/s   {rps / bare:6.1%} of the bare view", flush=True)
    ok = all(results[k]["ratio_to_bare"] >= 0.5 for k in ("home", "list", "list_filtered"))
    print(f"target (home and list ≥ 50 % of the bare view): {'met' if ok else 'NOT met'}")
    return {"benchmark": "portal_rps", "extra_notices": n, **env, "concurrency": CONCURRENCY,
            "round_seconds": ROUND_SECONDS, "rounds": ROUNDS, "results": results, "target_met": ok,
            "server": "uvicorn, 1 worker", "conn_max_age": os.environ.get("PORTAL_RPS_CONN_MAX_AGE", "0 (product)")}


if __name__ == "__main__":
    emit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
