"""How long does an expert draw take on a large pool with every recusal rule in play?

Builds a pool of N experts (bulk inserts) over 丽水市's 9 regions plus 3 other cities, on the demo's
43-specialty tree (each expert holds 1–3 leaves), with the facts recusal reads at realistic densities:
former employers (30 % of experts), company relations (2,000 pairs), declared conflicts (3 %), service
records (50 %, a quarter of them with the benchmark's purchaser), unavailable periods (8 %), sanctions
(3 %) and expired terms (2 %). Then runs ``draw_run`` REPEATS times, each on a fresh request for one
procedure: 5 experts (3 structure + 2 cost), 2 backups each, local scope, 20 registered bidders —
timing the whole call and its parts (pool = candidate query and recusal; commit = snapshot, hash and
the commitment event, first transaction; rank = beacon event, seed and shuffle; store = slots, the
invitation event and the second commit). A second series draws 5 from a whole top-level group
(工程类) to show the cost when the candidate set is large.

    .venv/bin/python bench/expert_draw.py [N] [REPEATS]      # defaults 100000 and 30
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench_experts .venv/bin/python bench/expert_draw.py
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import statistics
import sys
import time

from _common import emit, setup_django

TARGET_P95_MS = 50.0


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def build_pool(n: int, rng: random.Random) -> dict:
    from yangguang.accounts.models import Region
    from yangguang.core.dbclock import db_now
    from yangguang.experts.demo import _specialties
    from yangguang.experts.id_number import id_number_check_char
    from yangguang.experts.models import (
        CompanyRelation,
        DeclaredConflict,
        EmploymentRecord,
        Expert,
        ExpertSpecialty,
        ServiceRecord,
        UnavailablePeriod,
    )
    from yangguang.experts.states import ExpertStatus, TitleLevel
    from yangguang.suppliers.credit_code import credit_code_generate

    specialties = _specialties()
    leaves = [s for code, s in specialties.items() if not any(o.parent_id == s.pk for o in specialties.values())]
    local = list(Region.objects.filter(code__startswith="3311"))
    remote = []
    for code, name in (("330300", "温州市"), ("330700", "金华市"), ("331000", "台州市")):
        region, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": Region.Level.CITY})
        remote.append(region)
    employers = [credit_code_generate(region_code="331100", serial=100_000 + i) for i in range(3000)]
    today = db_now().date()
    started = time.perf_counter()
    batch = 10_000
    ids: list[int] = []
    for first in range(0, n, batch):
        experts = []
        for i in range(first, min(n, first + batch)):
            roll = rng.random()
            status = ExpertStatus.SUSPENDED if roll < 0.02 else ExpertStatus.BLACKLISTED if roll < 0.03 \
                else ExpertStatus.ACTIVE
            birth = dt.date(1955, 1, 1) + dt.timedelta(days=i // 1000)
            body = f"331100{birth:%Y%m%d}{i % 1000:03d}"
            ended = rng.random() < 0.02
            experts.append(Expert(
                name=f"专家{i}", id_number=body + id_number_check_char(body), title_level=TitleLevel.SENIOR,
                title_name="高级工程师", employer_name="单位", employer_credit_code=rng.choice(employers),
                region=rng.choice(local) if rng.random() < 0.6 else rng.choice(remote), phone="13800000000",
                status=status, status_until=None if rng.random() < 0.5 else today + dt.timedelta(days=90),
                term_start=today - dt.timedelta(days=500),
                term_end=today - dt.timedelta(days=1) if ended else today + dt.timedelta(days=700)))
        Expert.objects.bulk_create(experts)
        if experts[0].pk is None:
            experts = list(Expert.objects.filter(name__in=[e.name for e in experts]).order_by("pk"))
        ids.extend(e.pk for e in experts)
        ExpertSpecialty.objects.bulk_create([
            ExpertSpecialty(expert=e, specialty=s, region_id=e.region_id) for e in experts
            for s in rng.sample(leaves, rng.choice([1, 1, 2, 2, 3]))], batch_size=20_000)
    purchaser = employers[0]
    bidders = rng.sample(employers[1:], 20)
    agency = employers[-1]
    EmploymentRecord.objects.bulk_create([
        EmploymentRecord(expert_id=pk, employer_name="前单位", credit_code=rng.choice(employers),
                         left_on=today - dt.timedelta(days=rng.randrange(30, 3000)))
        for pk in ids if rng.random() < 0.3], batch_size=20_000)
    CompanyRelation.objects.bulk_create([
        CompanyRelation(credit_code_a=a, credit_code_b=b, kind="shareholder")
        for a, b in {(rng.choice(employers), rng.choice(employers)) for _ in range(2000)} if a != b],
        batch_size=20_000, ignore_conflicts=True)
    DeclaredConflict.objects.bulk_create([
        DeclaredConflict(expert_id=pk, credit_code=rng.choice(employers), reason="亲属")
        for pk in ids if rng.random() < 0.03], batch_size=20_000)
    ServiceRecord.objects.bulk_create([
        ServiceRecord(expert_id=pk, purchaser_credit_code=purchaser if rng.random() < 0.25 else rng.choice(employers),
                      served_on=today - dt.timedelta(days=rng.randrange(1, 700)))
        for pk in ids if rng.random() < 0.5], batch_size=20_000)
    UnavailablePeriod.objects.bulk_create([
        UnavailablePeriod(expert_id=pk, starts_on=(s := today + dt.timedelta(days=rng.randrange(-30, 60))),
                          ends_on=s + dt.timedelta(days=rng.randrange(0, 14)))
        for pk in ids if rng.random() < 0.08], batch_size=20_000)
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does on a live system; without it a freshly loaded table has no visibility map
        # and the candidate query cannot be index-only.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"purchaser": purchaser, "bidders": bidders, "agency": agency, "build_s": time.perf_counter() - started,
            "specialty_rows": ExpertSpecialty.objects.count()}


def series(label: str, quotas: list[tuple[str, int]], repeats: int, facts: dict, project, staff) -> dict:
    from yangguang.core.dbclock import db_now
    from yangguang.experts.models import Draw
    from yangguang.experts.services import draw_request_create, draw_run

    totals: list[float] = []
    parts: dict[str, list[float]] = {"pool": [], "commit": [], "rank": [], "store": []}
    sizes = []
    for _ in range(repeats):
        request = draw_request_create(
            actor=staff, project=project, purchaser_credit_code=facts["purchaser"],
            agency_credit_code=facts["agency"], bidder_credit_codes=facts["bidders"], quotas=quotas, backups=2,
            region_scope="local", evaluation_at=db_now() + dt.timedelta(days=3))
        timings: dict[str, float] = {}
        started = time.perf_counter()
        draw_run(actor=staff, request=request, timings=timings)
        totals.append(time.perf_counter() - started)
        for key in parts:
            parts[key].append(timings.get(key, 0.0))
        draw = Draw.objects.get(request=request)
        sizes.append((draw.pool_size, sum(draw.exclusion_counts.values())))
    result = {
        "label": label, "repeats": repeats, "eligible": sizes[-1][0], "excluded": sizes[-1][1],
        "p50_ms": round(_pct(totals, 0.5), 2), "p95_ms": round(_pct(totals, 0.95), 2),
        "max_ms": round(max(totals) * 1000, 2), "min_ms": round(min(totals) * 1000, 2),
        "parts_median_ms": {k: round(statistics.median(v) * 1000, 2) for k, v in parts.items()},
    }
    print(f"{label}: eligible {result['eligible']}, excluded {result['excluded']}; min {result['min_ms']} ms, "
          f"p50 {result['p50_ms']} ms, "
          f"p95 {result['p95_ms']} ms, max {result['max_ms']} ms; median parts {result['parts_median_ms']}")
    return result


def main(n: int, repeats: int) -> dict:
    env = setup_django()
    logging.getLogger("yangguang").setLevel(logging.WARNING)
    from yangguang.accounts import demo as accounts_demo
    from yangguang.accounts.models import User
    from yangguang.projects.tests.factories import project_make

    accounts_demo.load()
    rng = random.Random(20260611)
    facts = build_pool(n, rng)
    print(f"pool: {n} experts, {facts['specialty_rows']} specialty rows, built in {facts['build_s']:.1f} s "
          f"({env['database']})")
    project = project_make(status="accepted", name="专家抽取基准项目")
    staff = User.objects.get(username="staff")
    series("warm-up", [("A0101", 3), ("B01", 2)], 3, facts, project, staff)
    typical = series("typical (A0101×3 + B01×2)", [("A0101", 3), ("B01", 2)], repeats, facts, project, staff)
    wide = series("wide (group A 工程类 ×5)", [("A", 5)], max(5, repeats // 3), facts, project, staff)
    load = [round(x, 2) for x in os.getloadavg()]
    print(f"load average during the run (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    verdict = "meets" if typical["p95_ms"] <= TARGET_P95_MS else "misses"
    print(f"target p95 ≤ {TARGET_P95_MS} ms for the typical draw: {verdict}")
    return {"benchmark": "expert_draw", "n": n, **env, "typical": typical, "wide": wide,
            "target_p95_ms": TARGET_P95_MS, "meets_target": verdict == "meets", "load_average": load}


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    emit(main(size, rounds))
