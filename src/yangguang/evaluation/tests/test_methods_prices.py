"""Arithmetic correction (M87 第59条), SME deduction (P-062), abnormally low (M87 第60条), outliers."""

from __future__ import annotations

from decimal import Decimal as D

from yangguang.evaluation.methods import (
    BidInput,
    Criterion,
    MethodConfig,
    abnormally_low,
    arithmetic_correction,
    evaluate,
    sme_evaluated,
)


def test_correction_unit_price_prevails_over_amount_and_total() -> None:
    """Line 1: 3 × 150.00 = 450.00 but amount 405.00 (not a factor of ten) → amount 450.00 (第59条(四)).
    Line 2: 2 × 1,000.00 = 2,000.00 = amount → unchanged. Sum 2,450.00 vs stated 2,405.00 → 2,450.00."""
    c = arithmetic_correction([{"item": "桌", "quantity": "3", "unit_price": "150.00", "amount": "405.00"},
                               {"item": "柜", "quantity": "2", "unit_price": "1000.00", "amount": "2000.00"}],
                              D("2405.00"))
    assert c.corrected_total == D("2450.00")
    assert c.lines[0].amount == D("450.00")
    assert len(c.changes) == 2 and "(四)" in c.changes[0] and "2405.00" in c.changes[1]


def test_correction_misplaced_decimal_amount_prevails() -> None:
    """Unit price 12.50 × 40 = 500.00, amount 5,000.00 = 125.0 × 40: a misplaced decimal point → the amount
    prevails and the unit price becomes 125 (第59条(三)); total 5,000.00 = stated → no total change."""
    c = arithmetic_correction([{"item": "椅", "quantity": "40", "unit_price": "12.50", "amount": "5000.00"}],
                              D("5000.00"))
    assert c.corrected_total == D("5000.00")
    assert c.lines[0].unit_price == D("125.0")
    assert len(c.changes) == 1 and "(三)" in c.changes[0]


def test_correction_nothing_to_do() -> None:
    c = arithmetic_correction([{"item": "x", "quantity": "1", "unit_price": "10", "amount": "10"}], D(10))
    assert c.changes == [] and c.corrected_total == D("10.00")
    assert arithmetic_correction([], D("99.999")).corrected_total == D("100.00")


def test_sme_deduction_only_small_and_micro() -> None:
    assert sme_evaluated(D(100), "micro", D("0.2")) == D(80)
    assert sme_evaluated(D(100), "small", D("0.2")) == D(80)
    assert sme_evaluated(D(100), "medium", D("0.2")) == D(100)
    assert sme_evaluated(D(100), "small", D(0)) == D(100)


def test_abnormally_low_against_others_mean_and_budget() -> None:
    """Ratio 0.8 of the others' mean: A 60 vs mean(100, 110, 90) = 100 → 80: 60 < 80 flagged;
    D 90 vs mean(60, 100, 110) = 90 → 72: not flagged. E (non-compliant, 10) takes no part.
    Budget rule 0.65 × 100 = 65: A flagged again (a set), nobody else."""
    bids = [BidInput("A", D(60), "large", True), BidInput("B", D(100), "large", True),
            BidInput("C", D(110), "large", True), BidInput("D", D(90), "large", True),
            BidInput("E", D(10), "large", False)]
    cfg = MethodConfig("lowest_price", "goods", (), abnormal={"ratio_of_others_mean": "0.8"})
    assert abnormally_low(bids, cfg) == {"A"}
    cfg2 = MethodConfig("lowest_price", "goods", (), abnormal={"ratio_of_budget": "0.65", "budget": "100"})
    assert abnormally_low(bids, cfg2) == {"A"}
    assert abnormally_low(bids, MethodConfig("lowest_price", "goods", ())) == set()
    out = evaluate(MethodConfig("lowest_price", "goods", (), abnormal={"ratio_of_others_mean": "0.8"},
                                tie_break="none"), bids, {})
    assert out.row("A").flags == ["abnormally_low"] and out.row("A").rank == 1


def test_outlier_threshold_configurable() -> None:
    """Criterion 20 points, scores 10, 12, 17: median 12. Share 0.30 → 6 points: |17−12| = 5 no outlier.
    Share 0.20 → 4 points: 5 > 4 → (e3, A, t, 17, 12)."""
    criteria = (Criterion("p", "价格", "price", D(80)), Criterion("t", "技术", "technical", D(20)))
    scores = {"e1": {"A": {"t": D(10)}}, "e2": {"A": {"t": D(12)}}, "e3": {"A": {"t": D(17)}}}
    bids = [BidInput("A", D(1), "large", True)]
    assert evaluate(MethodConfig("comprehensive_score", "goods", criteria), bids, scores).outliers == []
    out = evaluate(MethodConfig("comprehensive_score", "goods", criteria, outlier_share=D("0.2")), bids, scores)
    assert [tuple(o) for o in out.outliers] == [("e3", "A", "t", D(17), D(12))]
