"""Funding check latency under a fixed request rate, against /healthz on the same server in the same run.

Sets up a fresh database (PostgreSQL when DATABASE_URL is set — the name must contain "bench", it is
dropped and re-created — else SQLite), loads the accounts and catalogue demos, N accepted projects
(bulk insert) of which some are traded (a published contract notice), exempt, exempt with an overdue
report, or in progress, plus codes that were never entered, and issues a finance API key. Then it starts
``uvicorn yangguang.asgi:application`` on a free port and drives it open-loop: requests are scheduled at a
fixed rate (default 200/s) whatever the server does, sent over a pool of keep-alive HTTP/1.1 connections
(asyncio streams), and each latency is measured from the request's scheduled time (so queueing counts;
no coordinated omission). Targets alternate in rounds so machine noise hits both alike.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench_musttrade .venv/bin/python bench/funding_check.py [N]

Environment: RATE (requests/s, 200), ROUND_SECONDS (5), ROUNDS (3), WORKERS (uvicorn workers, 2),
UVICORN_ARGS (extra server flags, e.g. "--http httptools --loop uvloop"), GC_FREEZE (1: the server runs
bench/funding_check_asgi.py, which calls gc.freeze() after start-up; 0: yangguang.asgi as shipped),
POOL (1: the server uses Django's PostgreSQL connection pool, bench/funding_check_settings.py; 0: the
product's default of a new connection per request).
Target: funding check p99 ≤ 20 ms and ≤ 2 × the /healthz p99.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal

from _common import ROOT, emit, setup_django

RATE = float(os.environ.get("RATE", "200"))
ROUND_SECONDS = float(os.environ.get("ROUND_SECONDS", "5"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
WORKERS = int(os.environ.get("WORKERS", "2"))
UVICORN_ARGS = os.environ.get("UVICORN_ARGS", "").split()
GC_FREEZE = os.environ.get("GC_FREEZE", "1") == "1"
try:
    import psycopg_pool  # noqa: F401 - Django's pool needs it; it is not a product dependency (yet)

    _HAVE_POOL = True
except ImportError:
    _HAVE_POOL = False
# A PostgreSQL connection pool in the server (funding_check_settings.py), when psycopg-pool is installed.
POOL = os.environ.get("POOL", "1" if _HAVE_POOL else "0") == "1"
CLIENT_CONNECTIONS = 48


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def populate(n: int) -> tuple[list[str], str]:
    """N projects through a bulk insert plus a few through the services; returns the codes to ask for
    (every kind of answer) and a finance API key."""
    from django.db import transaction

    from yangguang.accounts import demo as accounts_demo
    from yangguang.accounts.apikeys import apikey_issue
    from yangguang.accounts.models import Organisation, User
    from yangguang.accounts.states import OrganisationKind
    from yangguang.catalogue import demo as catalogue_demo
    from yangguang.catalogue.models import CatalogueItem
    from yangguang.catalogue.selectors import version_in_force
    from yangguang.catalogue.states import Category
    from yangguang.core import dbclock
    from yangguang.notices.services import notice_publish
    from yangguang.projects import exemptions, reports
    from yangguang.projects.models import Project
    from yangguang.projects.states import ProjectStatus

    accounts_demo.load()
    catalogue_demo.load()
    purchaser = User.objects.get(username="purchaser")
    staff = User.objects.get(username="staff")
    city = purchaser.organisation.region
    centre = city.centre
    item = CatalogueItem.objects.filter(type__version=version_in_force(city),
                                        type__category=Category.CONSTRUCTION).order_by("type__position", "pk").first()
    now = dbclock.db_now()
    Project.objects.bulk_create([
        Project(code=f"331100-GC-2025-{i:06d}", name=f"基准项目{i}", owner=purchaser.organisation,
                category=Category.CONSTRUCTION, catalogue_item=item, region=city, centre=centre,
                budget=Decimal("5000000.00"), responsible_leader="王", responsible_section="基建科",
                responsible_person="李", responsible_phone="0578", status=ProjectStatus.ACCEPTED, must_trade=True,
                created_by=purchaser, accepted_by=staff, accepted_at=now) for i in range(n)], batch_size=2000)
    codes = [f"331100-GC-2025-{i:06d}" for i in range(0, n, max(1, n // 50))]  # in progress
    fields = {k: "见合同" for k in ("parties", "subject", "quantity", "quality", "price", "performance",
                                   "acceptance", "liability", "disputes")}
    traded = list(Project.objects.filter(code__in=codes[:10]))
    for project in traded:  # traded: a contract notice on the portal
        notice_publish(actor=staff, notice_type="contract", region=city, title=f"{project.name}合同公告",
                       fields=fields, project=project, category=project.category)
    # Exempt, and exempt with an overdue report (the clock set back while they are created).
    from yangguang.projects.tests.factories import department_leader

    department_leader()
    section, leader = User.objects.get(username="supervisor"), User.objects.get(username="supervisor_leader")
    committee = User.objects.get(username="committee")
    real = dbclock.db_now
    for i, project in enumerate(Project.objects.filter(code__in=codes[10:20])):
        back = now - dt.timedelta(days=40 if i % 2 else 2)
        dbclock.db_now = lambda back=back: back  # type: ignore[misc]
        try:
            ex = exemptions.exemption_request(actor=purchaser, project=project, department=section.organisation,
                                              reason="基准", legal_basis="基准", method="基准")
            for actor in (section, leader, committee):
                ex = exemptions.exemption_decide(actor=actor, exemption=ex, approve=True, opinion="同意")
            ex = exemptions.exemption_trade_record(actor=purchaser, exemption=ex, trade_date=back.date())
        finally:
            dbclock.db_now = real  # type: ignore[assignment]
        if i % 2:
            with transaction.atomic():
                reports.exemption_report_check(ex, now)
    codes += [f"331100-GC-2099-{i:06d}" for i in range(10)]  # never entered
    finance = Organisation.objects.get(kind=OrganisationKind.FINANCE)
    _row, key = apikey_issue(actor=User.objects.get(username="admin"), organisation=finance, name="bench",
                             scopes=["funding_check"])
    return codes, key


async def _send(pool: asyncio.Queue, host: str, request: bytes, scheduled: float, out: list[float],
                errors: list[str]) -> None:
    conn = await pool.get()
    try:
        reader, writer = conn
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        out.append(time.perf_counter() - scheduled)
        if status != 200:
            errors.append(str(status))
    finally:
        pool.put_nowait(conn)


async def _round(host: str, port: int, paths: list[bytes], key: str) -> tuple[list[float], list[str]]:
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(CLIENT_CONNECTIONS):
        pool.put_nowait(await asyncio.open_connection(host, port))
    latencies: list[float] = []
    errors: list[str] = []
    total = int(RATE * ROUND_SECONDS)
    start = time.perf_counter() + 0.05
    tasks = []
    for i in range(total):
        scheduled = start + i / RATE
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        path = paths[i % len(paths)]
        request = (b"GET " + path + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nX-Api-Key: " + key.encode()
                   + b"\r\nAccept-Language: zh-hans\r\n\r\n")
        tasks.append(asyncio.create_task(_send(pool, host, request, scheduled, latencies, errors)))
    await asyncio.gather(*tasks)
    while not pool.empty():
        _reader, writer = pool.get_nowait()
        writer.close()
    return latencies, errors


def _run(coro):  # type: ignore[no-untyped-def]
    """The load generator shares the machine with the server: uvloop, when installed, makes it cheaper."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000


def main(n: int) -> dict:
    env = setup_django()
    import logging

    logging.getLogger("yangguang").setLevel(logging.WARNING)
    codes, key = populate(n)
    random.Random(1).shuffle(codes)
    port = _free_port()
    settings_module = "funding_check_settings" if POOL else "yangguang.settings"
    server_env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module,
                  "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT / "src")])}
    app = "funding_check_asgi:application" if GC_FREEZE else "yangguang.asgi:application"
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(WORKERS), "--log-level", "warning", "--lifespan", "off", "--no-access-log", *UVICORN_ARGS],
        env=server_env, cwd=str(ROOT))
    targets = {"healthz": [b"/healthz"],
               "funding_check": [f"/api/v1/funding-check?project={c}".encode() for c in codes]}
    results: dict[str, list[float]] = {name: [] for name in targets}
    errors: dict[str, list[str]] = {name: [] for name in targets}
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for paths in targets.values():  # warm-up at the same rate, not counted
            _run(_round("127.0.0.1", port, paths[:50], key))
        load_before = os.getloadavg()
        for r in range(ROUNDS):
            order = list(targets.items()) if r % 2 == 0 else list(reversed(targets.items()))
            for name, paths in order:
                lat, errs = _run(_round("127.0.0.1", port, paths, key))
                results[name] += lat
                errors[name] += errs
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=10)
    summary = {}
    for name, samples in results.items():
        summary[name] = {"requests": len(samples), "errors": len(errors[name]),
                         "p50_ms": round(_pct(samples, 50), 2), "p95_ms": round(_pct(samples, 95), 2),
                         "p99_ms": round(_pct(samples, 99), 2), "mean_ms": round(statistics.mean(samples) * 1000, 2)}
        s = summary[name]
        print(f"  {name:<14} {s['requests']:6d} req  p50 {s['p50_ms']:6.2f} ms  p95 {s['p95_ms']:6.2f} ms  "
              f"p99 {s['p99_ms']:6.2f} ms  errors {s['errors']}", flush=True)
    print(f"  load average (1 min) before / after the measured rounds: {load_before[0]:.2f} / {load_after[0]:.2f}",
          flush=True)
    funding, health = summary["funding_check"], summary["healthz"]
    met = funding["p99_ms"] <= 20 and funding["p99_ms"] <= 2 * health["p99_ms"] and not funding["errors"]
    print(f"target (funding p99 ≤ 20 ms and ≤ 2 × healthz p99 = {2 * health['p99_ms']:.2f} ms): "
          f"{'met' if met else 'NOT met'}", flush=True)
    return {"benchmark": "funding_check", "projects": n, **env, "rate_per_s": RATE, "round_seconds": ROUND_SECONDS,
            "rounds": ROUNDS, "server": f"uvicorn, {WORKERS} worker(s) {' '.join(UVICORN_ARGS)}".strip(),
            "load_avg_1min": [round(load_before[0], 2), round(load_after[0], 2)], "connection_pool": POOL,
            "gc_freeze": GC_FREEZE,
            "results": summary, "target_met": met}


if __name__ == "__main__":
    emit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
