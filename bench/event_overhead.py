"""What does the event log add to a typical service call?

``accounts.services.organisation_create`` (validation, insert, event_append in one transaction) against
the identical validation and insert without the event. The two variants run interleaved in alternating
blocks so that machine noise (other processes, CPU frequency, database checkpoints) hits both alike.

    .venv/bin/python bench/event_overhead.py [N]          # N calls of each variant, default 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench .venv/bin/python bench/event_overhead.py
"""

from __future__ import annotations

import statistics
import sys
import time

from _common import emit, median_us, setup_django

TARGET = 0.15
BLOCK = 50


def main(n: int) -> dict:
    env = setup_django()
    from django.db import connection, transaction
    from django.utils.translation import gettext as _

    from yangguang.accounts.models import Organisation, Region
    from yangguang.accounts.services import organisation_create
    from yangguang.accounts.states import OrganisationKind
    from yangguang.core.errors import ValidationFailed
    from yangguang.core.models import Event

    region = Region.objects.create(code="330000", name="浙江省", level="city")

    def without_event(*, actor, name, kind, region, credit_code="", domains=None, contact_name="",
                      contact_phone=""):
        # organisation_create, line for line, minus event_append.
        if kind not in OrganisationKind.values:
            raise ValidationFailed(_("Unknown organisation kind."), field="kind")
        if credit_code and Organisation.objects.filter(credit_code=credit_code).exists():
            raise ValidationFailed(_("An organisation with this credit code is already registered."),
                                   code="duplicate_credit_code", field="credit_code")
        with transaction.atomic():
            org = Organisation.objects.create(name=name, kind=kind, region=region, credit_code=credit_code,
                                              domains=domains or [], contact_name=contact_name,
                                              contact_phone=contact_phone)
        return org

    variants = {"with_event": organisation_create, "without_event": without_event}
    samples: dict[str, list[float]] = {k: [] for k in variants}
    block_ratios: list[float] = []
    counter = 0

    def run_block(name: str) -> float:
        nonlocal counter
        fn = variants[name]
        start_block = time.perf_counter()
        for _i in range(BLOCK):
            counter += 1
            kwargs = dict(actor="system", name=f"供应商 {counter}", kind=OrganisationKind.SUPPLIER, region=region,
                          credit_code=f"9133{counter:014d}", domains=["goods"], contact_name="张三",
                          contact_phone="13800000000")
            t0 = time.perf_counter()
            fn(**kwargs)
            samples[name].append(time.perf_counter() - t0)
        return time.perf_counter() - start_block

    # Warm-up (caches, prepared plans, JIT of the first log rows), not measured.
    for name in variants:
        run_block(name)
    for k in samples:
        samples[k].clear()

    blocks = max(1, n // BLOCK)
    for b in range(blocks):
        order = ("with_event", "without_event") if b % 2 == 0 else ("without_event", "with_event")
        took = {name: run_block(name) for name in order}
        block_ratios.append(took["with_event"] / took["without_event"])

    with_us, without_us = median_us(samples["with_event"]), median_us(samples["without_event"])
    overhead = with_us / without_us - 1
    print(f"database: {env['database']} ({env['database_name']}), Python {env['python']}, Django {env['django']}")
    print(f"{blocks * BLOCK} calls per variant in alternating blocks of {BLOCK}")
    print(f"organisation_create with event:    median {with_us:8.1f} µs/call")
    print(f"same work without event:           median {without_us:8.1f} µs/call")
    print(f"overhead of event_append:          {overhead * 100:+.1f} % (median of block ratios "
          f"{(statistics.median(block_ratios) - 1) * 100:+.1f} %), target ≤ {TARGET * 100:.0f} %")
    print(f"events in log: {Event.objects.count()} ({connection.vendor})")
    return {
        "bench": "event_overhead", "database": env["database"], "calls_per_variant": blocks * BLOCK,
        "with_event_median_us": round(with_us, 1), "without_event_median_us": round(without_us, 1),
        "overhead_ratio": round(overhead, 4),
        "block_ratio_median": round(statistics.median(block_ratios) - 1, 4),
        "target_ratio": TARGET, "meets_target": overhead <= TARGET,
    }


if __name__ == "__main__":
    emit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
