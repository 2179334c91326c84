"""How long does the methods library take to score a large lot? 1,000 bids × 9 experts × 30 criteria.

Criteria: 1 price (30 points), 25 expert-scored (technical/commercial, 2.8 points each), 4 objective
(ratio and steps rules on the bids' terms, 0.5 points each) — 225,000 expert scores. 30 % of the bids are
small/micro enterprises (SME deduction 10 %), 5 % are non-compliant, 10 % have 5 itemised price lines for the
arithmetic correction. Times ``evaluate`` for the 政采 comprehensive score (lowest-price benchmark) and for the
works comprehensive evaluation (B5: K drawn, validity limit), REPEATS times each; the target is ≤ 1 s.
Pure Python: no database (Django settings are loaded for the library's imports only).

    .venv/bin/python bench/evaluation_aggregate.py [BIDS] [REPEATS]      # defaults 1000 and 5
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from _common import emit

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0


def build(n_bids: int, n_experts: int, rng: random.Random):  # type: ignore[no-untyped-def]
    from yangguang.evaluation.methods import BidInput, Criterion, MethodConfig, PriceLine

    criteria = [Criterion("price", "价格", "price", Decimal(30))]
    criteria += [Criterion(f"s{i}", f"主观{i}", "technical" if i % 2 else "commercial", Decimal("2.8"))
                 for i in range(25)]
    criteria += [Criterion("o0", "质保期", "commercial", Decimal("0.5"),
                           {"term": "warranty", "better": "higher", "formula": "ratio"}),
                 Criterion("o1", "工期", "commercial", Decimal("0.5"),
                           {"term": "days", "better": "lower", "formula": "ratio"}),
                 Criterion("o2", "响应时间", "commercial", Decimal("0.5"),
                           {"term": "hours", "better": "lower", "formula": "steps",
                            "steps": [{"limit": 2, "points": "0.5"}, {"limit": 8, "points": "0.3"}]}),
                 Criterion("o3", "认证", "commercial", Decimal("0.5"),
                           {"term": "iso", "formula": "equals", "value": "yes"})]
    bids = []
    for i in range(n_bids):
        price = Decimal(rng.randrange(8_000_000, 12_000_000)) / 100
        lines: tuple = ()
        if rng.random() < 0.10:
            parts = [price / 5] * 5
            lines = tuple(PriceLine(f"item{k}", Decimal(2), (p / 2).quantize(Decimal("0.01")),
                                    p.quantize(Decimal("0.01"))) for k, p in enumerate(parts))
        bids.append(BidInput(f"T{i}", price, rng.choice(["large", "medium", "small", "micro", "large"]),
                             rng.random() > 0.05,
                             {"warranty": str(rng.randint(1, 5)), "days": str(rng.randint(60, 120)),
                              "hours": str(rng.randint(1, 24)), "iso": rng.choice(["yes", "no"])}, lines))
    subjective = [c for c in criteria if c.objective is None and c.kind != "price"]
    # Each bid has a true quality per criterion (0.4–1.0 of the points); experts differ by up to ±0.3 points,
    # and one score in 200 is far off (an outlier for the report).
    quality = {(b.ref, c.code): rng.uniform(0.4, 1.0) * 2.8 for b in bids for c in subjective}

    def score(ref: str, code: str) -> Decimal:
        value = quality[(ref, code)] + (rng.uniform(-2.8, 2.8) if rng.random() < 0.005 else rng.uniform(-0.3, 0.3))
        return Decimal(str(round(min(max(value, 0), 2.8), 1)))

    scores = {f"e{e}": {b.ref: {c.code: score(b.ref, c.code) for c in subjective} for b in bids}
              for e in range(n_experts)}
    gp = MethodConfig("comprehensive_score", "goods", tuple(criteria), sme_deduction=Decimal("0.10"),
                      abnormal={"ratio_of_others_mean": "0.8"})
    works = MethodConfig("comprehensive_evaluation", "works", tuple(criteria),
                         benchmark={"method": "B5", "k_choices": ["0.95", "0.96", "0.97", "0.98"],
                                    "deltas": ["0.12", "0.15", "0.18"], "ceiling": "130000",
                                    "above_per_pct": "1", "below_per_pct": "0.5"})
    return gp, works, bids, scores


def main() -> int:
    n_bids = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangguang.settings")
    os.environ.setdefault("YANGGUANG_SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
    import django

    django.setup()
    from yangguang.evaluation.methods import evaluate

    rng = random.Random(2026)
    gp, works, bids, scores = build(n_bids, 9, rng)
    n_scores = sum(len(c) for per in scores.values() for c in per.values())
    result = {"benchmark": "evaluation_aggregate", "bids": n_bids, "experts": 9, "criteria": len(gp.criteria),
              "expert_scores": n_scores, "python": platform.python_version(), "target_s": TARGET_S,
              "load_avg_before": [round(x, 2) for x in os.getloadavg()]}
    ok = True
    for name, config in (("comprehensive_score", gp), ("comprehensive_evaluation_B5", works)):
        samples = []
        outcome = None
        for _ in range(repeats):
            started = time.perf_counter()
            outcome = evaluate(config, bids, scores, random_value=b"bench-seed")
            samples.append(time.perf_counter() - started)
        assert outcome is not None
        ranked = [r for r in outcome.rows if r.rank is not None]
        result[name] = {"median_s": round(statistics.median(samples), 3), "max_s": round(max(samples), 3),
                        "ranked": len(ranked), "outliers": len(outcome.outliers),
                        "corrections": len(outcome.corrections)}
        ok = ok and statistics.median(samples) <= TARGET_S
        print(f"{name}: median {statistics.median(samples):.3f} s, max {max(samples):.3f} s over {repeats} runs; "
              f"{len(ranked)} ranked, {len(outcome.outliers)} outliers, {len(outcome.corrections)} corrections")
    result["load_avg_after"] = [round(x, 2) for x in os.getloadavg()]
    result["within_target"] = ok
    emit(result)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
