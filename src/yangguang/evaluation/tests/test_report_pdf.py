"""The evaluation report PDF: every section present, digests, and a rendered sample to look at."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest

from yangguang.evaluation.methods import BidInput, Criterion, MethodConfig, evaluate
from yangguang.evaluation.report import (
    AmendmentEntry,
    BidderReview,
    CorrectionEntry,
    MemberEntry,
    ReportData,
    ReviewItem,
    SignatureEntry,
    content_digest,
    outcome_load,
    report_pdf,
)

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def sample(bidders: int = 6, experts: int = 5, seed: int = 7, signed: bool = True) -> ReportData:
    """A report for ``bidders`` bids scored by ``experts`` experts on 4 criteria (one bid rejected)."""
    rnd = random.Random(seed)  # noqa: S311 - test data
    criteria = (Criterion("price", "价格", "price", D(30)), Criterion("tech", "技术方案", "technical", D(40)),
                Criterion("service", "售后服务方案", "commercial", D(20)),
                Criterion("warranty", "质保期", "commercial", D(10),
                          {"term": "warranty_years", "better": "higher", "formula": "ratio"}))
    config = MethodConfig("comprehensive_score", "goods", criteria, sme_deduction=D("0.10"),
                          abnormal={"ratio_of_others_mean": "0.8"})
    bids, reviews = [], []
    for i in range(1, bidders + 1):
        ref = f"T{i}"
        price = D(rnd.randrange(800000, 1200000))
        if i == 2:
            price = D(600000)
        ok = i != bidders or bidders < 3
        size = rnd.choice(["large", "medium", "small", "micro"])
        bids.append(BidInput(ref, price, size, ok, {"warranty_years": str(rnd.randint(1, 5))}))
        items = [ReviewItem("资格审查：营业执照、资质证书", True), ReviewItem("投标保证金", True),
                 ReviewItem("符合性审查：实质性响应", ok, "" if ok else "交货期 120 天，超过招标文件要求的 90 天")]
        reviews.append(BidderReview(ref, f"丽水市{['华东', '瓯江', '处州', '莲都', '南明'][i % 5]}{i}号设备有限公司",
                                    price, ok, items, size))
    names = [f"{SURNAMES[i % len(SURNAMES)]}专家{i + 1}" for i in range(experts)]
    scores = {n: {b.ref: {"tech": D(rnd.randint(20, 40)), "service": D(rnd.randint(10, 20))}
                  for b in bids if b.compliant} for n in names}
    scores[names[0]][bids[0].ref]["tech"] = D(0)  # an outlier
    outcome = evaluate(config, bids, scores)
    committee = [MemberEntry(n, "expert", i == 0, "医疗设备") for i, n in enumerate(names)]
    committee.append(MemberEntry("采购人代表 周", "purchaser_rep"))
    at = dt.datetime(2026, 11, 27, 14, 30, tzinfo=dt.UTC)
    return ReportData(
        procedure_code="LS-ZB-2026-00042", procedure_title="丽水市中心医院医疗设备采购", lot="第1包 彩色超声诊断仪",
        method="综合评分法 (M87 第55条)", date=dt.date(2026, 11, 27), committee=committee, reviews=reviews,
        criteria=criteria, scores=scores, outcome=outcome,
        corrections=[CorrectionEntry("T1", D("980000.00"), D("985000.00"),
                                     ["line 2 (探头): amount 45000.00 ≠ 5000 × 10 = 50000.00; the unit price prevails "
                                      "(M87 第59条(四))"], "分项报价汇总错误", names[0], at)],
        amendments=[AmendmentEntry(names[0], "T1", "tech", D(0), D(0), "畸高畸低",
                                   "该投标技术方案缺少安装调试章节，评分属实，不予修改", at)],
        signatures=[SignatureEntry(n, at + dt.timedelta(minutes=i), "ab" * 32) for i, n in enumerate(names)]
        if signed else [],
        random_value="5f" * 32, buyer="丽水市中心医院", agency="丽水市公共资源交易中心",
        notes=["中小企业价格扣除 10%，仅用于评审，不改变合同价格。"])


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run([str(PDFTOTEXT), "-layout", str(path), "-"], check=True,  # noqa: S603
                          capture_output=True, timeout=60, text=True).stdout


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) not installed")
def test_report_contains_every_section_and_the_digest(tmp_path: Path) -> None:
    data = sample()
    pdf = report_pdf(data)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    text = _text(pdf, tmp_path)
    digest = content_digest(data)
    assert digest in text.replace("\n", "")
    for needle in ("LS-ZB-2026-00042", "丽水市中心医院医疗设备采购", "交货期", "985,000.00", "畸高畸低",
                   "专家1", "abab"):
        assert needle in text, needle
    # Every ranked bidder's total appears.
    for row in data.outcome.rows:
        if row.rank is not None:
            assert f"{row.total:.2f}" in text


def test_digest_changes_with_content_not_with_signatures() -> None:
    a, b = sample(signed=False), sample(signed=True)
    assert content_digest(a) == content_digest(b)
    c = sample(seed=8)
    assert content_digest(c) != content_digest(a)


def test_outcome_round_trip() -> None:
    import dataclasses
    import json

    outcome = sample().outcome
    stored = json.loads(json.dumps({"method": outcome.method, "rows": [dataclasses.asdict(r) for r in outcome.rows],
                                    "benchmark_price": outcome.benchmark_price, "steps": outcome.steps,
                                    "outliers": [list(o) for o in outcome.outliers]}, default=str))
    loaded = outcome_load(stored)
    assert [(r.ref, r.rank, r.total) for r in loaded.rows] == [(r.ref, r.rank, r.total) for r in outcome.rows]
    assert [tuple(o) for o in loaded.outliers] == [tuple(o) for o in outcome.outliers]


@pytest.mark.skipif(PDFTOPPM is None, reason="pdftoppm (poppler-utils) not installed")
def test_sample_renders_to_png(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf(sample(bidders=8, experts=7)))
    subprocess.run([str(PDFTOPPM), "-png", "-r", "60", str(pdf), str(tmp_path / "page")],  # noqa: S603
                   check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 5000 for p in pages)
