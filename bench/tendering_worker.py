"""How fast does the worker catch up with due procedures?

Bulk-creates N published procedures (one lot each, a random 0–4 registrations per lot) whose bid deadline
has passed — a worker that was down while N deadlines fell due — then runs the chronograph's claim/apply
loop exactly as ``yangguang worker`` does (``chronograph_run`` until nothing is due) and reports the time,
the rate and the outcome (ready for opening / failed for too few registrations). Every procedure gets one
``tendering.procedure.time_steps`` event, so the figure includes the event log.

    .venv/bin/python bench/tendering_worker.py [N]          # default 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench_tendering .venv/bin/python bench/tendering_worker.py
Target: 100,000 due procedures in ≤ 60 s on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import sys
import time

from _common import emit, setup_django

TARGET_SECONDS = 60.0
TARGET_N = 100_000
BATCH = 500


def main(n: int) -> dict:
    env = setup_django()
    from django.db import connection

    from yangguang.accounts import demo as accounts_demo
    from yangguang.accounts.models import Organisation
    from yangguang.accounts.states import OrganisationKind
    from yangguang.core.chronograph import chronograph_run
    from yangguang.core.dbclock import db_now
    from yangguang.core.models import Event
    from yangguang.projects.states import ProjectStatus
    from yangguang.projects.tests.factories import project_make
    from yangguang.tendering.models import Lot, Procedure, Registration
    from yangguang.tendering.states import ProcedureStatus

    logging.getLogger("yangguang").setLevel(logging.WARNING)
    accounts_demo.load()
    project = project_make(status=ProjectStatus.ACCEPTED, name="基准测试工程")
    city = project.region
    suppliers = Organisation.objects.bulk_create([
        Organisation(name=f"基准供应商{i}", kind=OrganisationKind.SUPPLIER, region=city, credit_code=f"BENCH{i:013d}")
        for i in range(5)])
    if suppliers[0].pk is None:
        suppliers = list(Organisation.objects.filter(name__startswith="基准供应商").order_by("pk"))
    now = db_now()
    deadline = now - dt.timedelta(minutes=5)
    rng = random.Random(4)
    print(f"filling {n} due procedures …", flush=True)
    fill_started = time.perf_counter()
    for start in range(0, n, BATCH):
        size = min(BATCH, n - start)
        procedures = Procedure.objects.bulk_create([Procedure(
            code=f"BENCH-{start + i:07d}", project=project, title=f"基准招标{start + i}", method="works_open",
            status=ProcedureStatus.PUBLISHED, qualification_requirements="资质",
            evaluation_method="lowest_evaluated_price",
            bid_days=20, document_days=5, time_origin=deadline - dt.timedelta(days=20), published_at=deadline,
            documents_until=deadline - dt.timedelta(days=15), bid_deadline=deadline,
            effective_documents_until=deadline - dt.timedelta(days=15), effective_bid_deadline=deadline,
            notice_period_closed_at=None, documents_closed_at=deadline - dt.timedelta(days=15),
            next_check_at=deadline) for i in range(size)])
        if procedures[0].pk is None:
            procedures = list(Procedure.objects.filter(code__in=[p.code for p in procedures]).order_by("pk"))
        lots = Lot.objects.bulk_create([Lot(procedure=p, number=1, name="标段一", budget=1_000_000)
                                        for p in procedures])
        if lots[0].pk is None:
            lots = list(Lot.objects.filter(procedure__in=procedures).order_by("procedure_id"))
        registrations = []
        for lot in lots:
            for organisation in rng.sample(suppliers, rng.randint(0, 4)):
                registrations.append(Registration(lot=lot, organisation=organisation, registered_at=deadline,
                                                  token=secrets.token_hex(16), salt=secrets.token_hex(16)))
        Registration.objects.bulk_create(registrations)
    fill_seconds = time.perf_counter() - fill_started
    events_before = Event.objects.count()
    print(f"filled in {fill_seconds:.1f} s; running the chronograph …", flush=True)

    started = time.perf_counter()
    cpu_started = time.process_time()
    handled = ticks = 0
    while True:
        done = chronograph_run(limit=BATCH)
        if not done:
            break
        handled += done
        ticks += 1
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    ready = Procedure.objects.filter(status=ProcedureStatus.READY_FOR_OPENING).count()
    failed = Procedure.objects.filter(status=ProcedureStatus.FAILED).count()
    events = Event.objects.count() - events_before
    still_due = Procedure.objects.filter(next_check_at__isnull=False).count()
    rate = handled / seconds if seconds else 0.0
    print(f"database: {connection.vendor}; procedures: {n}; handled: {handled} in {ticks} claims of ≤ {BATCH}")
    print(f"worker time: {seconds:.2f} s wall, {cpu:.2f} s CPU (this process); {rate:,.0f} procedures/s")
    print(f"outcome: {ready} ready for opening, {failed} failed (too few registrations); events {events}; "
          f"left due {still_due}")
    scaled = seconds * TARGET_N / n if n else 0.0
    verdict = "met" if scaled <= TARGET_SECONDS else "NOT met"
    print(f"target: {TARGET_N:,} in ≤ {TARGET_SECONDS:.0f} s → {scaled:.1f} s scaled to {TARGET_N:,}: {verdict}")
    return {"benchmark": "tendering_worker", **env, "n": n, "handled": handled, "claims": ticks, "batch": BATCH,
            "fill_seconds": round(fill_seconds, 2), "worker_seconds": round(seconds, 3),
            "worker_cpu_seconds": round(cpu, 3), "per_second": round(rate, 1), "ready": ready, "failed": failed,
            "events": events, "left_due": still_due, "target_seconds": TARGET_SECONDS,
            "scaled_to_100k_seconds": round(scaled, 2), "target_met": scaled <= TARGET_SECONDS}


if __name__ == "__main__":
    emit(main(int(sys.argv[1]) if len(sys.argv) > 1 else TARGET_N))
