"""Golden example of 政采 综合评分法 (M87 第55条; rules.md §2.1), every figure computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from yangguang.evaluation.methods import BidInput, Criterion, MethodConfig, MethodError, evaluate

CRITERIA = (
    Criterion("price", "价格", "price", D(30)),
    Criterion("tech", "技术方案", "technical", D(40)),
    Criterion("service", "售后服务", "commercial", D(20)),
    Criterion("warranty", "质保期", "commercial", D(10),
              {"term": "warranty_years", "better": "higher", "formula": "ratio"}),
    Criterion("qual", "资格", "pass_fail", D(0)),
)
CONFIG = MethodConfig("comprehensive_score", "goods", CRITERIA, sme_deduction=D("0.10"))
BIDS = [
    BidInput("A", D("1000000"), "large", True, {"warranty_years": "3"}),
    BidInput("B", D("1050000"), "small", True, {"warranty_years": "5"}),
    BidInput("C", D("980000"), "micro", True, {"warranty_years": "2"}),
    BidInput("D", D("700000"), "large", False, {"warranty_years": "9"}),
]
SCORES = {
    "e1": {"A": {"tech": D(35), "service": D(15)}, "B": {"tech": D(30), "service": D(18)},
           "C": {"tech": D(20), "service": D(16)}},
    "e2": {"A": {"tech": D(33), "service": D(16)}, "B": {"tech": D(32), "service": D(17)},
           "C": {"tech": D(22), "service": D(15)}},
    "e3": {"A": {"tech": D(34), "service": D(14)}, "B": {"tech": D(31), "service": D(19)},
           "C": {"tech": D(36), "service": D(15)}},
}


def test_golden_comprehensive_score() -> None:
    """Goods, price 30 points, SME deduction 10 % for small/micro enterprises; D is non-compliant.

    Evaluated prices (deduction for the evaluation only):
        A large  1,000,000                          = 1,000,000
        B small  1,050,000 × (1 − 0.10)             =   945,000
        C micro    980,000 × (1 − 0.10)             =   882,000
    Benchmark = lowest valid evaluated price = 882,000 (D's 700,000 does not count: non-compliant).
    Price score = 882,000 / evaluated × 30:
        A 882000/1000000×30 = 26.46
        B 882000/945000×30  = 28.000 (945000 = 882000 × 15/14 → 30 × 14/15 = 28)
        C 30
    Technical (plain mean of 3 experts):  A (35+33+34)/3 = 34;  B (30+32+31)/3 = 31;  C (20+22+36)/3 = 26
    Service:                              A (15+16+14)/3 = 15;  B (18+17+19)/3 = 18;  C (16+15+15)/3 = 15.333… → 15.33
    Warranty (objective, ratio, best 5 among compliant — D's 9 does not count):
        A 3/5×10 = 6;  B 10;  C 2/5×10 = 4
    Totals: A 26.46+34+15+6 = 81.46;  B 28+31+18+10 = 87.00;  C 30+26+15.33+4 = 75.33
    Ranking: B 1, A 2, C 3; D unranked.
    Outlier (share 0.30 × 40 = 12 points from the median): C tech scores 20, 22, 36, median 22:
        |36 − 22| = 14 > 12 → outlier (e3, C, tech); |20 − 22| = 2 no.
    """
    out = evaluate(CONFIG, BIDS, SCORES)
    assert out.benchmark_price == D("882000")
    by = {r.ref: r for r in out.rows}
    assert by["A"].evaluated_price == D("1000000")
    assert by["B"].evaluated_price == D("945000")
    assert by["C"].evaluated_price == D("882000")
    assert (by["A"].price_score, by["B"].price_score, by["C"].price_score) == (D("26.46"), D("28.00"), D("30.00"))
    assert by["A"].criterion_scores == {"tech": D("34.00"), "service": D("15.00"), "warranty": D("6.00")}
    assert by["B"].criterion_scores == {"tech": D("31.00"), "service": D("18.00"), "warranty": D("10.00")}
    assert by["C"].criterion_scores == {"tech": D("26.00"), "service": D("15.33"), "warranty": D("4.00")}
    assert (by["A"].total, by["B"].total, by["C"].total) == (D("81.46"), D("87.00"), D("75.33"))
    assert [(r.ref, r.rank) for r in out.rows] == [("B", 1), ("A", 2), ("C", 3), ("D", None)]
    assert by["D"].flags == ["non_compliant"] and not by["D"].compliant
    assert [tuple(o) for o in out.outliers] == [("e3", "C", "tech", D(36), D(22))]
    # The contract price is untouched: the quoted price stays on the row.
    assert by["B"].quoted_price == D("1050000")
    assert any("882000" in s and "M87" in s for s in out.steps)


def test_tie_on_total_broken_by_lower_evaluated_price_then_shared() -> None:
    """Two bids with equal totals (M87 第57条: then the lower price ranks first); equal price too → 并列.

    Price 50 points, technical 50. P: 100 → 50;  Q: 125 → 100/125×50 = 40;  R: 125 → 40.
    Technical: P 40, Q 50, R 50 → totals P 90, Q 90, R 90.
    tie_break "price": P (100) first; Q and R equal on price too → both rank 2, flagged "tied".
    """
    cfg = MethodConfig("comprehensive_score", "goods",
                       (Criterion("p", "价格", "price", D(50)), Criterion("t", "技术", "technical", D(50))))
    bids = [BidInput("Q", D(125), "large", True), BidInput("P", D(100), "large", True),
            BidInput("R", D(125), "large", True)]
    scores = {"e": {"P": {"t": D(40)}, "Q": {"t": D(50)}, "R": {"t": D(50)}}}
    out = evaluate(cfg, bids, scores)
    assert [(r.ref, r.total, r.rank) for r in out.rows] == [("P", D("90.00"), 1), ("Q", D("90.00"), 2),
                                                            ("R", D("90.00"), 2)]
    assert "tied" in out.row("Q").flags and "tied" not in out.row("P").flags
    none = evaluate(MethodConfig(cfg.method, cfg.category, cfg.criteria, tie_break="none"), bids, scores)
    assert {r.rank for r in none.rows} == {1}


def test_score_outside_range_and_missing_score_refused() -> None:
    with pytest.raises(MethodError) as err:
        evaluate(CONFIG, BIDS, {"e1": {"A": {"tech": D(41)}}})
    assert err.value.code == "score_out_of_range"
    with pytest.raises(MethodError) as err:
        evaluate(CONFIG, BIDS, {"e1": {"A": {"tech": D(30), "service": D(10)}}})
    assert err.value.code == "score_missing"
    with pytest.raises(MethodError) as err:
        evaluate(CONFIG, BIDS, {"e1": {"Z": {"tech": D(1)}}})
    assert err.value.code == "unknown_bid"


def test_zero_or_negative_price_refused() -> None:
    with pytest.raises(MethodError) as err:
        evaluate(CONFIG, [BidInput("Z", D(0), "large", True)], {})
    assert err.value.code == "invalid_price"
