"""How long does the evaluation report PDF take for a large lot? 50 bidders, 9 experts, 12 expert-scored
criteria (5,184 expert scores in the per-expert table), 2 rejected bids with reasons, 5 corrections,
outliers, 9 signatures. Target ≤ 3 s per report. No database (the font is extracted once into a temporary
directory; the first run includes that and is reported separately).

    .venv/bin/python bench/evaluation_report.py [BIDDERS] [REPEATS]      # defaults 50 and 5
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from _common import emit

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 3.0


def build(n_bidders: int, n_experts: int, rng: random.Random):  # type: ignore[no-untyped-def]
    from yangguang.evaluation.methods import BidInput, Criterion, MethodConfig, evaluate
    from yangguang.evaluation.report import (
        AmendmentEntry,
        BidderReview,
        CorrectionEntry,
        MemberEntry,
        ReportData,
        ReviewItem,
        SignatureEntry,
    )

    criteria = [Criterion("price", "价格", "price", Decimal(30))]
    criteria += [Criterion(f"s{i}", f"评审因素{i + 1}（技术/服务）", "technical", Decimal(5)) for i in range(12)]
    criteria += [Criterion("w", "质保期", "commercial", Decimal(10),
                           {"term": "warranty", "better": "higher", "formula": "ratio"})]
    config = MethodConfig("comprehensive_score", "goods", tuple(criteria), sme_deduction=Decimal("0.10"),
                          abnormal={"ratio_of_others_mean": "0.8"})
    bids, reviews = [], []
    for i in range(1, n_bidders + 1):
        ok = i % 17 != 0
        price = Decimal(rng.randrange(800_000, 1_200_000))
        bids.append(BidInput(f"T{i}", price, rng.choice(["large", "small", "micro", "medium"]), ok,
                             {"warranty": str(rng.randint(1, 5))}))
        reviews.append(BidderReview(f"T{i}", f"浙江省丽水市第{i}医疗器械设备有限责任公司", price, ok, [
            ReviewItem("资格审查", True), ReviewItem("投标保证金", True),
            ReviewItem("符合性审查", ok, "" if ok else "技术参数第3.2条（探头频率）负偏离，未实质性响应")]))
    experts = [f"专家{chr(0x7532 + e)}" for e in range(n_experts)]
    # A true quality per bid and criterion; experts within ±0.5 point of it (whole or half points).
    quality = {(b.ref, c.code): rng.uniform(2.0, 4.5) for b in bids for c in criteria}
    scores = {e: {b.ref: {c.code: Decimal(round(2 * min(5.0, max(0.0, quality[(b.ref, c.code)]
                                                               + rng.uniform(-0.5, 0.5)))) / 2)
                          for c in criteria if c.kind == "technical"}
                  for b in bids if b.compliant} for e in experts}
    scores[experts[0]]["T1"]["s0"] = Decimal(0)
    outcome = evaluate(config, bids, scores)
    at = dt.datetime(2026, 11, 27, 16, 0, tzinfo=dt.UTC)
    return ReportData(
        procedure_code="LS-ZB-2026-00099", procedure_title="丽水市医疗设备集中采购", lot="第1包", method="综合评分法",
        date=dt.date(2026, 11, 27), committee=[MemberEntry(e, "expert", i == 0, "医疗设备")
                                               for i, e in enumerate(experts)],
        reviews=reviews, criteria=criteria, scores=scores, outcome=outcome,
        corrections=[CorrectionEntry(f"T{i}", Decimal(1000), Decimal(1010), ["line 1: the unit price prevails"],
                                     "分项汇总错误", experts[0], at) for i in range(1, 6)],
        amendments=[AmendmentEntry(experts[0], "T1", "s0", Decimal(0), Decimal(0), "畸高畸低", "评分属实", at)],
        signatures=[SignatureEntry(e, at, "0f" * 32) for e in experts], random_value="aa" * 32,
        buyer="丽水市中心医院", agency="丽水市公共资源交易中心")


def main() -> int:
    n_bidders = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    sys.path.insert(0, str(ROOT / "src"))
    tmp = tempfile.mkdtemp(prefix="yg-bench-report-")
    os.environ["YANGGUANG_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangguang.settings")
    os.environ.setdefault("YANGGUANG_SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
    try:
        import django

        django.setup()
        from yangguang.evaluation.report import report_pdf

        rng = random.Random(50)
        data = build(n_bidders, 9, rng)
        started = time.perf_counter()
        first = report_pdf(data)
        first_s = time.perf_counter() - started
        samples, size = [], len(first)
        for _ in range(repeats):
            started = time.perf_counter()
            size = len(report_pdf(data))
            samples.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    median = statistics.median(samples)
    print(f"report for {n_bidders} bidders: first {first_s:.2f} s (font extraction included), then median "
          f"{median:.2f} s, max {max(samples):.2f} s over {repeats}; {size / 1024:.0f} KiB")
    emit({"benchmark": "evaluation_report", "bidders": n_bidders, "experts": 9, "first_s": round(first_s, 2),
          "median_s": round(median, 2), "max_s": round(max(samples), 2), "pdf_bytes": size,
          "python": platform.python_version(), "target_s": TARGET_S, "within_target": median <= TARGET_S,
          "load_avg": [round(x, 2) for x in os.getloadavg()]})
    return 0 if median <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
