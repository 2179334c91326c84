"""What does the event log add to a service call?

Each service function runs twice over: as shipped, and with ``event_append`` in its module replaced by a
function that does nothing — the same call without the event, no copied code. The two variants run
interleaved in alternating blocks so that machine noise (other processes, CPU frequency, database
checkpoints) hits both alike. Calls measured:

- ``accounts.organisation_create``: the lightest write on the platform (one checked insert);
- ``projects.project_register``: a purchaser registers a project (validation, catalogue lookup, project
  and funding rows) — a typical intake step;
- ``projects.project_submit``: a state change under a row lock;
- ``projects.project_accept``: the centre accepts (must-trade decision, project code from a counter);
- ``POST /api/v1/projects/{id}/submit``: the submit step as a purchaser's system calls it — the whole
  request (session, user, CSRF-exempt API auth, JSON out) through Django's in-process test client.

    .venv/bin/python bench/event_overhead.py [N]          # N calls of each variant, default 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench .venv/bin/python bench/event_overhead.py
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from _common import emit, median_us, setup_django

TARGET = 0.15
BLOCK = 50


@contextmanager
def _without_event(module: ModuleType):
    original = module.event_append  # type: ignore[attr-defined]
    module.event_append = lambda **kwargs: None  # type: ignore[attr-defined]
    try:
        yield
    finally:
        module.event_append = original  # type: ignore[attr-defined]


def main(n: int) -> dict:
    env = setup_django()
    from django.db import connection
    from django.test import Client

    from yangguang.accounts import demo as accounts_demo
    from yangguang.accounts import services as accounts_services
    from yangguang.accounts.models import Region, User
    from yangguang.accounts.states import OrganisationKind
    from yangguang.core.models import Event
    from yangguang.projects import services as project_services
    from yangguang.projects.tests.factories import project_data

    logging.getLogger("yangguang").setLevel(logging.WARNING)  # the services log each accept/submit
    accounts_demo.load()
    purchaser = User.objects.get(username="purchaser")
    staff = User.objects.get(username="staff")
    region = Region.objects.get(code="331100")
    data = project_data()
    counter = 0

    def org_create() -> Callable[[], Any]:
        nonlocal counter
        counter += 1
        number = counter
        return lambda: accounts_services.organisation_create(
            actor="system", name=f"供应商 {number}", kind=OrganisationKind.SUPPLIER, region=region,
            credit_code=f"9133{number:014d}", domains=["goods"], contact_name="张三", contact_phone="13800000000")

    def register() -> Callable[[], Any]:
        return lambda: project_services.project_register(actor=purchaser, data=data)

    def submit() -> Callable[[], Any]:
        project = project_services.project_register(actor=purchaser, data=data)
        return lambda: project_services.project_submit(actor=purchaser, project=project)

    def accept() -> Callable[[], Any]:
        project = project_services.project_register(actor=purchaser, data=data)
        project = project_services.project_submit(actor=purchaser, project=project)
        return lambda: project_services.project_accept(actor=staff, project=project)

    client = Client()
    client.force_login(purchaser)

    def api_submit() -> Callable[[], Any]:
        project = project_services.project_register(actor=purchaser, data=data)

        def call() -> None:
            response = client.post(f"/api/v1/projects/{project.pk}/submit")
            if response.status_code != 200:
                raise SystemExit(f"submit answered {response.status_code}: {response.content[:200]!r}")
        return call

    calls: dict[str, tuple[ModuleType, Callable[[], Callable[[], Any]]]] = {
        "organisation_create": (accounts_services, org_create),
        "project_register": (project_services, register),
        "project_submit": (project_services, submit),
        "project_accept": (project_services, accept),
        "api_project_submit": (project_services, api_submit),
    }

    def run_block(name: str, with_event: bool, samples: list[float]) -> float:
        module, prepare = calls[name]
        # Arguments (and, for submit/accept, the project in the right status) are made before timing.
        ready = [prepare() for _i in range(BLOCK)]
        took = 0.0
        if with_event:
            for fn in ready:
                t0 = time.perf_counter()
                fn()
                took += (dt := time.perf_counter() - t0)
                samples.append(dt)
        else:
            with _without_event(module):
                for fn in ready:
                    t0 = time.perf_counter()
                    fn()
                    took += (dt := time.perf_counter() - t0)
                    samples.append(dt)
        return took

    print(f"database: {env['database']} ({env['database_name']}), Python {env['python']}, Django {env['django']}")
    results: dict[str, dict[str, Any]] = {}
    blocks = max(1, n // BLOCK)
    for name in calls:
        samples: dict[bool, list[float]] = {True: [], False: []}
        for with_event in (True, False):  # warm-up, not measured
            run_block(name, with_event, [])
        ratios = []
        for b in range(blocks):
            order = (True, False) if b % 2 == 0 else (False, True)
            took = {w: run_block(name, w, samples[w]) for w in order}
            ratios.append(took[True] / took[False])
        with_us, without_us = median_us(samples[True]), median_us(samples[False])
        overhead = with_us / without_us - 1
        results[name] = {"with_event_median_us": round(with_us, 1), "without_event_median_us": round(without_us, 1),
                         "overhead_ratio": round(overhead, 4),
                         "block_ratio_median": round(statistics.median(ratios) - 1, 4)}
        print(f"{name:20} with event {with_us:8.1f} µs  without {without_us:8.1f} µs  overhead "
              f"{overhead * 100:+6.1f} % (median of block ratios {(statistics.median(ratios) - 1) * 100:+6.1f} %)")
    print(f"{blocks * BLOCK} calls per variant and call, alternating blocks of {BLOCK}; target ≤ {TARGET * 100:.0f} %")
    print(f"events in log: {Event.objects.count()} ({connection.vendor})")
    typical = ("project_register", "project_submit", "project_accept", "api_project_submit")
    return {
        "bench": "event_overhead", "database": env["database"], "calls_per_variant": blocks * BLOCK,
        "calls": results, "target_ratio": TARGET,
        "typical_calls_meet_target": all(results[c]["overhead_ratio"] <= TARGET for c in typical),
        "lightest_call_meets_target": results["organisation_create"]["overhead_ratio"] <= TARGET,
    }


if __name__ == "__main__":
    emit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
