"""Golden examples of the price methods: 政采 最低评标价法, 工程 经评审的最低投标价法, 询价/谈判, 单一来源."""

from __future__ import annotations

from decimal import Decimal as D

from yangguang.evaluation.methods import BidInput, Criterion, MethodConfig, PriceLine, evaluate


def test_golden_lowest_price_procurement() -> None:
    """M87 第56条: ranked by evaluated price, ties 并列 (rules.md §2.2). SME deduction 10 %.

        A large 500,000 → 500,000
        B small 540,000 × 0.9 → 486,000
        C large 486,000 → 486,000
        D large 400,000 non-compliant → unranked
    B and C both 486,000 → both rank 1 (并列), A rank 3.
    """
    cfg = MethodConfig("lowest_price", "goods", (), sme_deduction=D("0.10"), tie_break="none")
    bids = [BidInput("A", D(500000), "large", True), BidInput("B", D(540000), "small", True),
            BidInput("C", D(486000), "large", True), BidInput("D", D(400000), "large", False)]
    out = evaluate(cfg, bids, {})
    assert [(r.ref, r.evaluated_price, r.rank) for r in out.rows] == [
        ("B", D("486000.0"), 1), ("C", D("486000"), 1), ("A", D("500000"), 3), ("D", D("400000"), None)]
    assert out.benchmark_price == D(486000)
    assert "tied" in out.row("B").flags and "tied" in out.row("C").flags
    assert all(r.total == 0 for r in out.rows)


def test_golden_lowest_evaluated_price_works_with_adjustments_and_correction() -> None:
    """TBL 第41条(二), rules.md §2.3: 经评审的投标价 = 算术修正后报价 + Σ 折算.

    折算: duration above 180 days costs 5,000 per day (reference 180, per_unit 5,000).
    A: lines 100 × 2,000 = 200,000 and 10 × 30,000 = 300,000, stated total 480,000:
       line sums 500,000 ≠ 480,000 → corrected 500,000 (unit prices prevail, M87 第59条(四) analogue);
       duration 190 → (190 − 180) × 5,000 = +50,000 → evaluated 550,000.
    B: 530,000, duration 170 → (170 − 180) × 5,000 = −50,000 → 480,000.
    C: 480,000, duration 180 → 0 → 480,000.
    B and C equal at 480,000; tie_break "price": lower quoted (corrected) price first → C (480,000) before
    B (530,000). A third.
    """
    cfg = MethodConfig("lowest_evaluated_price", "works", (
        Criterion("dur", "工期折算", "commercial", D(0),
                  {"price_adjustment": {"term": "duration_days", "reference": 180, "per_unit": "5000"}}),))
    lines = (PriceLine("土方", D(100), D(2000), D(200000)), PriceLine("钢筋", D(10), D(30000), D(280000)))
    bids = [BidInput("A", D(480000), "large", True, {"duration_days": "190"}, lines),
            BidInput("B", D(530000), "large", True, {"duration_days": "170"}),
            BidInput("C", D(480000), "large", True, {"duration_days": "180"})]
    out = evaluate(cfg, bids, {})
    by = {r.ref: r for r in out.rows}
    assert by["A"].corrected_price == D("500000.00")
    assert by["A"].evaluated_price == D("550000.00")
    assert by["B"].evaluated_price == D("480000")
    assert by["C"].evaluated_price == D("480000")
    assert [(r.ref, r.rank) for r in out.rows] == [("C", 1), ("B", 2), ("A", 3)]
    assert out.corrections["A"].corrected_total == D("500000.00")
    assert len(out.corrections["A"].changes) == 2  # the line, then the total


def test_golden_lowest_quote_and_negotiated() -> None:
    """询价 (GPL 第40条: 质量和服务相等且报价最低): A 300 < B 310; C non-compliant at 100 takes no part.
    单一来源: the one compliant response ranks 1 at its price."""
    cfg = MethodConfig("lowest_quote", "goods", ())
    out = evaluate(cfg, [BidInput("B", D(310), "large", True), BidInput("A", D(300), "large", True),
                         BidInput("C", D(100), "large", False)], {})
    assert [(r.ref, r.rank) for r in out.rows] == [("A", 1), ("B", 2), ("C", None)]
    single = evaluate(MethodConfig("negotiated", "services", ()), [BidInput("S", D(88000), "large", True)], {})
    assert [(r.ref, r.rank, r.evaluated_price) for r in single.rows] == [("S", 1, D(88000))]
    assert single.benchmark_price == D(88000)
