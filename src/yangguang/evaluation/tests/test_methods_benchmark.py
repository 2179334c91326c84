"""Golden examples of the works 综合评估法 benchmark-price methods B1–B8 and deviation scoring (rules.md §2.4).

Prices used unless stated: 90, 95, 100, 105, 110 (sum 500, mean 100). Random value: b"opening-2026-001".
Draws (index = SHA-256(label ‖ 0x00 ‖ seed) mod n, recomputed independently in ``test_draws_recomputable``):
K among 7 → index 3; delta among 9 → 3; X among 101 → 25; discount among 3 → 2; weights among 2 → 1.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal as D

import pytest

from yangguang.evaluation.methods import (
    BidInput,
    Criterion,
    MethodConfig,
    MethodError,
    benchmark_price,
    deviation_score,
    draw_index,
    evaluate,
    k_factor,
)

PRICES = [D(90), D(95), D(100), D(105), D(110)]
SEED = b"opening-2026-001"
KS = [D("0.95"), D("0.955"), D("0.96"), D("0.965"), D("0.97"), D("0.975"), D("0.98")]
DELTAS = [D("0.12"), D("0.13"), D("0.14"), D("0.15"), D("0.16"), D("0.17"), D("0.18"), D("0.19"), D("0.20")]


def base(params, prices=PRICES, seed=SEED):  # type: ignore[no-untyped-def]
    steps: list[str] = []
    draws: dict[str, str] = {}
    value, excluded = benchmark_price(params, prices, seed, steps, draws)
    return value, excluded, draws, steps


def test_draws_recomputable() -> None:
    for label, n, expected in (("K", 7, 3), ("delta", 9, 3), ("X", 101, 25), ("discount", 3, 2), ("weights", 2, 1)):
        digest = hashlib.sha256(label.encode() + b"\x00" + SEED).digest()
        assert int.from_bytes(digest, "big") % n == expected == draw_index(SEED, n, label)
    assert k_factor(SEED, KS) == D("0.965")
    assert k_factor(b"another seed", KS) in KS


def test_b1_lowest() -> None:
    """B1 = min = 90."""
    assert base({"method": "B1"})[0] == D(90)


def test_b2_mean_and_validity_floor() -> None:
    """B2 = 500 / 5 = 100. With floor 0.8 × ceiling 120 = 96: prices 100, 105, 110 → 315 / 3 = 105."""
    assert base({"method": "B2"})[0] == D(100)
    assert base({"method": "B2", "valid_min_ratio": "0.8", "ceiling": "120"})[0] == D(105)


def test_b3_discount_fixed_and_drawn() -> None:
    """B3 = 100 × (1 − 0.05) = 95; drawn from [0.03, 0.04, 0.05] index 2 → 0.05 → 95."""
    assert base({"method": "B3", "discount": "0.05"})[0] == D(95)
    value, _, draws, _ = base({"method": "B3", "discounts": ["0.03", "0.04", "0.05"]})
    assert value == D(95) and draws == {"discount": "0.05"}


def test_b4_trimmed_mean() -> None:
    """N = 5 (default table: 4–6 drop the highest): (90+95+100+105)/4 = 97.5.
    N = 7 (80, 90, 95, 100, 105, 110, 120; drop highest and lowest): (90+95+100+105+110)/5 = 100.
    N = 3: plain mean (90+95+100)/3 = 95. K 0.98 on N = 5: 97.5 × 0.98 = 95.55."""
    assert base({"method": "B4"})[0] == D("97.5")
    assert base({"method": "B4"}, [D(80), *PRICES, D(120)])[0] == D(100)
    assert base({"method": "B4"}, PRICES[:3])[0] == D(95)
    assert base({"method": "B4", "k": "0.98"})[0] == D("95.55")


def test_b5_k_factor_and_validity_limit() -> None:
    """K drawn = 0.965: 100 × 0.965 = 96.5.
    With Δ drawn = 0.15, mean weight 0.7, ceiling 120: lower = (0.7×100 + 0.3×120) × 0.85 = 106 × 0.85 = 90.1;
    90 < 90.1 is left out (flag below_validity_limit): mean (95+100+105+110)/4 = 102.5 × 0.965 = 98.9125."""
    value, excluded, draws, _ = base({"method": "B5", "k_choices": [str(k) for k in KS]})
    assert value == D("96.500") and draws == {"K": "0.965"} and excluded == set()
    value, excluded, draws, _ = base({"method": "B5", "k_choices": [str(k) for k in KS],
                                      "deltas": [str(d) for d in DELTAS], "mean_weight": "0.7", "ceiling": "120"})
    assert draws == {"K": "0.965", "delta": "0.15"}
    assert excluded == {0}
    assert value == D("98.9125")
    with pytest.raises(MethodError) as err:
        base({"method": "B5", "k_choices": ["0.95"]}, seed=None)
    assert err.value.code == "random_value_required"


def test_b6_weighted_ceiling_and_mean() -> None:
    """B6 = 0.5 × 120 × (1 − 0.1) + 0.5 × 100 = 54 + 50 = 104."""
    assert base({"method": "B6", "alpha": "0.5", "discount": "0.1", "ceiling": "120"})[0] == D(104)


def test_b7_guangzhou_interval_and_band_scoring() -> None:
    """Sorted high→low 110, 105, 100, 95, 90; N = 5 odd → Q高 = rank 3 = 100. Q低 = max(90, 成本警示价 92) = 92.
    X = 25: ref = (100 − 92)/100 × 25 + 92 = 2 + 92 = 94.
    Band scoring on a 100 scale, price worth 60 points: [0.95 × 94 = 89.3, 94] scores 100:
        90 → 100 → 60.
        95 → above by 1/94 = 1.0638 % × 1.5 = 1.5957 → 98.4043 → × 0.6 = 59.0426
        100 → 6/94 = 6.3830 % × 1.5 = 9.5745 → 90.4255 → × 0.6 = 54.2553
        88 → below 89.3 by 1.3/94 = 1.3830 % × 1 → 98.6170 → × 0.6 = 59.1702"""
    value, _, draws, _ = base({"method": "B7", "cost_warning": "92"})
    assert draws == {"X": "25"} and value == D(94)
    params = {"band_low": "0.95", "above_per_pct": "1.5", "below_per_pct": "1", "scale": "hundred"}
    score = {p: deviation_score(D(p), D(94), D(60), params).quantize(D("0.0001")) for p in (90, 95, 100, 88)}
    assert score == {90: D("60.0000"), 95: D("59.0426"), 100: D("54.2553"), 88: D("59.1702")}


def test_b8_weighted_statistics() -> None:
    """Prices 80, 125, 100: mean 305/3 = 101.6667, median 100, lower quartile (median of the lower half [80])
    80, geometric mean ∛(80 × 125 × 100) = ∛1,000,000 = 100. Weight set drawn index 1 = [0.25 × 4]:
    0.25 × (101.6667 + 100 + 80 + 100) = 95.4167. Fixed weights [0.4, 0.3, 0.2, 0.1]:
    40.6667 + 30 + 16 + 10 = 96.6667."""
    prices = [D(80), D(125), D(100)]
    value, _, draws, _ = base({"method": "B8", "weight_sets": [["0.4", "0.3", "0.2", "0.1"],
                                                                ["0.25", "0.25", "0.25", "0.25"]]}, prices)
    assert draws == {"weights": "0.25,0.25,0.25,0.25"}
    assert value.quantize(D("0.0001")) == D("95.4167")
    fixed = base({"method": "B8", "weights": ["0.4", "0.3", "0.2", "0.1"]}, prices)[0]
    assert fixed.quantize(D("0.0001")) == D("96.6667")


def test_golden_comprehensive_evaluation_b3() -> None:
    """工程 综合评估法, price 60 points (deviation: −1 per 1 % above, −0.5 per 1 % below), technical 40 points
    (one expert for brevity), benchmark B3 with discount 0.05 → 95.

        90:  D = −5/95 = −5.2632 % → 60 − 0.5 × 5.2632 = 57.3684 → 57.37; technical 30 → 87.37
        95:  D = 0 → 60; technical 25 → 85.00
        100: D = +5.2632 % → 60 − 5.2632 = 54.7368 → 54.74; technical 40 → 94.74
        105: +10.5263 % → 49.4737 → 49.47; technical 20 → 69.47
        110: +15.7895 % → 44.2105 → 44.21; technical 35 → 79.21
    Ranking: 100 (94.74), 90 (87.37), 95 (85.00), 110 (79.21), 105 (69.47)."""
    cfg = MethodConfig("comprehensive_evaluation", "works",
                       (Criterion("p", "报价", "price", D(60)), Criterion("t", "施工组织设计", "technical", D(40))),
                       benchmark={"method": "B3", "discount": "0.05", "above_per_pct": "1", "below_per_pct": "0.5"})
    tech = {"b90": 30, "b95": 25, "b100": 40, "b105": 20, "b110": 35}
    bids = [BidInput(f"b{p}", D(p), "large", True) for p in (90, 95, 100, 105, 110)]
    out = evaluate(cfg, bids, {"e": {ref: {"t": D(v)} for ref, v in tech.items()}})
    assert out.benchmark_price == D(95)
    assert [(r.ref, r.price_score, r.total, r.rank) for r in out.rows] == [
        ("b100", D("54.74"), D("94.74"), 1), ("b90", D("57.37"), D("87.37"), 2), ("b95", D("60.00"), D("85.00"), 3),
        ("b110", D("44.21"), D("79.21"), 4), ("b105", D("49.47"), D("69.47"), 5)]


def test_comprehensive_evaluation_b5_needs_random_value_and_records_draw() -> None:
    cfg = MethodConfig("comprehensive_evaluation", "works", (Criterion("p", "报价", "price", D(100)),),
                       benchmark={"method": "B5", "k_choices": [str(k) for k in KS]})
    bids = [BidInput(f"b{p}", p, "large", True) for p in PRICES]
    with pytest.raises(MethodError):
        evaluate(cfg, bids, {})
    out = evaluate(cfg, bids, {}, random_value=SEED)
    assert out.random_draws == {"K": "0.965"} and out.benchmark_price == D("96.500")
    # 95 is 1.5 below 96.5: 1.5544 % below, default below_per_pct 0 → full 100; 100 → 3.6269 % above → 96.37
    assert out.row("b95").price_score == D("100.00") and out.row("b100").price_score == D("96.37")
