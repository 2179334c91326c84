"""评标基准价 (benchmark price) methods for the works comprehensive evaluation (rules.md §2.4, local practice —
each project loads its parameters from its tender documents) and the deviation scoring that goes with them.

Codes (rules.md §2.4 table):

* ``B1`` lowest valid price.
* ``B2`` arithmetic mean; optional ``valid_min_ratio`` × ``ceiling`` filter first (prices below are left out
  of the mean, not rejected).
* ``B3`` mean × (1 − ``discount``); or the discount drawn from ``discounts`` with the random value.
* ``B4`` trimmed mean: ``trim`` = list of ``{"min_n", "drop_high", "drop_low"}``, the entry with the largest
  ``min_n`` ≤ N applies (default: N ≤ 3 none; 4–6 drop the highest; ≥ 7 drop the highest and the lowest);
  optional ``k`` multiplier. Forbidden in 政府采购 (M87 第55条) — works only.
* ``B5`` mean × K, K drawn from ``k_choices``; optional lower validity limit
  ``(mean_weight·mean + (1 − mean_weight)·ceiling) × (1 − Δ)``, Δ drawn from ``deltas`` (prices below it are
  left out of the mean and flagged ``below_validity_limit``).
* ``B6`` α·ceiling·(1 − r) + (1 − α)·mean, with ``alpha``, ``discount`` and ``ceiling``.
* ``B7`` 广州 interval: sort high→low; Q低 = max(lowest, ``cost_warning`` or 0); Q高 = median-position price;
  ref = (Q高 − Q低)/100 × X + Q低 with X an integer drawn from [0, 100]. Scored with a band (see below).
* ``B8`` a·mean + b·median + c·lower quartile + d·geometric mean; ``weights`` [a, b, c, d] or a set drawn
  from ``weight_sets``; optional ``k`` multiplier.

Deviation scoring (rules.md §2.4): D = (price − base)/base; score = S − a·max(D,0)·100 − b·max(−D,0)·100,
floor 0, where a = ``above_per_pct`` and b = ``below_per_pct`` points per 1 %. With ``band_low`` (B7: 0.95)
a price in [band_low·base, base] scores S, and the deduction below counts from band_low·base. With
``scale: "hundred"`` the deductions are on a 100-point scale and the result is scaled to the criterion's
points (S × score/100).

Random draws are verifiable: index = SHA-256(label ‖ 0x00 ‖ random value) as a big-endian integer modulo
the number of choices (the choices are published in the tender documents in their order; the random value
is drawn and witnessed at the opening). The modulo bias with a 256-bit integer is below 2^-200.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from django.utils.translation import gettext as _

from .types import MethodError

METHODS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8")
DRAWN = frozenset({"B5", "B7"})  # always need a random value; B3/B8 only when they draw


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def fmt(value: Decimal) -> str:
    """A figure for the computation steps: at most 6 decimals, no trailing zeros (the computation itself keeps
    full precision)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        value = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}"


def draw_index(seed: bytes, n: int, label: str) -> int:
    """A verifiable choice among ``n`` published options: anyone with the seed recomputes it."""
    if n <= 0:
        raise MethodError(_("Nothing to draw from."), code="empty_choices", field="benchmark")
    digest = hashlib.sha256(label.encode() + b"\x00" + seed).digest()
    return int.from_bytes(digest, "big") % n


def k_factor(seed: bytes, choices: Sequence[Decimal]) -> Decimal:
    """The K factor drawn verifiably at the opening from the published ``choices`` (in their published order)."""
    return _dec(choices[draw_index(seed, len(choices), "K")])


def mean(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def median(values: Sequence[Decimal]) -> Decimal:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def lower_quartile(values: Sequence[Decimal]) -> Decimal:
    """Q1 as the median of the lower half (the median itself left out when N is odd); N = 1: the value."""
    s = sorted(values)
    if len(s) == 1:
        return s[0]
    return median(s[: len(s) // 2])


def geometric_mean(values: Sequence[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 34
        return (sum((v.ln() for v in values), Decimal(0)) / len(values)).exp()


def _need_seed(seed: bytes | None, what: str) -> bytes:
    if seed is None:
        raise MethodError(_("This benchmark method draws %(what)s at the opening: the random value is required.")
                          % {"what": what},
                          code="random_value_required", field="random_value")
    return seed


def _trim_rule(params: dict[str, Any], n: int) -> tuple[int, int]:
    table = params.get("trim") or [{"min_n": 0, "drop_high": 0, "drop_low": 0},
                                   {"min_n": 4, "drop_high": 1, "drop_low": 0},
                                   {"min_n": 7, "drop_high": 1, "drop_low": 1}]
    chosen = {"drop_high": 0, "drop_low": 0}
    for entry in sorted(table, key=lambda e: int(e["min_n"])):
        if int(entry["min_n"]) <= n:
            chosen = entry
    return int(chosen.get("drop_high", 0)), int(chosen.get("drop_low", 0))


def benchmark_price(params: dict[str, Any], prices: Sequence[Decimal], seed: bytes | None,
                    steps: list[str], draws: dict[str, str]) -> tuple[Decimal, set[int]]:
    """The benchmark price of ``prices`` (the valid evaluated prices) by ``params["method"]``. Returns the
    benchmark (full precision) and the indexes of prices excluded as below a validity limit (B5 only)."""
    code = params.get("method", "B1")
    if not prices:
        raise MethodError(_("No valid price to compute a benchmark from."), code="no_valid_bids")
    excluded: set[int] = set()
    if code == "B1":
        base = min(prices)
        steps.append(f"B1 评标基准价 = 最低有效报价 = {fmt(base)}")
    elif code in ("B2", "B3"):
        used = list(prices)
        if code == "B2" and "valid_min_ratio" in params:
            floor = _dec(params["valid_min_ratio"]) * _dec(params["ceiling"])
            used = [p for p in prices if p >= floor] or list(prices)
            steps.append(f"B2 有效报价下限 {params['valid_min_ratio']} × 最高投标限价 {params['ceiling']} = "
                         f"{fmt(floor)}；{len(prices)} 个报价中 {len(used)} 个参与平均")
        avg = mean(used)
        if code == "B2":
            base = avg
            steps.append(f"B2 评标基准价 = {len(used)} 个报价的算术平均 = "
                         f"{fmt(sum(used, Decimal(0)))} / {len(used)} = {fmt(base)}")
        else:
            if "discounts" in params:
                choices = [_dec(d) for d in params["discounts"]]
                rate = choices[draw_index(_need_seed(seed, "the discount"), len(choices), "discount")]
                draws["discount"] = str(rate)
                steps.append(f"B3 下浮率从 {[str(c) for c in choices]} 中抽取：{rate}")
            else:
                rate = _dec(params.get("discount", 0))
            base = avg * (1 - rate)
            steps.append(f"B3 评标基准价 = 平均值 {fmt(avg)} × (1 − {rate}) = {fmt(base)}")
    elif code == "B4":
        n = len(prices)
        high, low = _trim_rule(params, n)
        if high + low >= n:
            high = low = 0
        s = sorted(prices)
        kept = s[low: n - high]
        base = mean(kept)
        k = _dec(params.get("k", 1))
        steps.append(f"B4 N = {n}：去掉最高 {high} 个、最低 {low} 个；{[fmt(p) for p in kept]} 的平均值 = {fmt(base)}")
        if k != 1:
            base = base * k
            steps.append(f"B4 × K {k} = {fmt(base)}")
    elif code == "B5":
        seed = _need_seed(seed, "the K factor")
        k = k_factor(seed, [_dec(c) for c in params["k_choices"]])
        draws["K"] = str(k)
        used_idx = list(range(len(prices)))
        if "deltas" in params:
            deltas = [_dec(d) for d in params["deltas"]]
            delta = deltas[draw_index(seed, len(deltas), "delta")]
            draws["delta"] = str(delta)
            w = _dec(params.get("mean_weight", "0.7"))
            ceiling = _dec(params["ceiling"])
            avg_all = mean(prices)
            lower = (w * avg_all + (1 - w) * ceiling) * (1 - delta)
            excluded = {i for i, p in enumerate(prices) if p < lower}
            used_idx = [i for i in used_idx if i not in excluded] or used_idx
            steps.append(f"B5 抽取 Δ = {delta}；有效报价下限 = ({w} × {fmt(avg_all)} + {1 - w} × {fmt(ceiling)}) × "
                         f"(1 − {delta}) = {fmt(lower)}；低于下限 {len(excluded)} 个")
        avg = mean([prices[i] for i in used_idx])
        base = avg * k
        steps.append(f"B5 K 从 {params['k_choices']} 中抽取：{k}；评标基准价 = 平均值 {fmt(avg)} × {k} = {fmt(base)}")
    elif code == "B6":
        alpha, rate, ceiling = _dec(params["alpha"]), _dec(params.get("discount", 0)), _dec(params["ceiling"])
        avg = mean(prices)
        base = alpha * ceiling * (1 - rate) + (1 - alpha) * avg
        steps.append(f"B6 评标基准价 = {alpha} × {fmt(ceiling)} × (1 − {rate}) + (1 − {alpha}) × 平均值 {fmt(avg)} "
                     f"= {fmt(base)}")
    elif code == "B7":
        seed = _need_seed(seed, "X")
        x = draw_index(seed, 101, "X")
        draws["X"] = str(x)
        s = sorted(prices, reverse=True)
        n = len(s)
        q_high = s[(n + 1) // 2 - 1] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
        q_low = max(min(prices), _dec(params.get("cost_warning", 0)))
        base = (q_high - q_low) / 100 * x + q_low
        steps.append(f"B7 Q高（中间位次报价）= {fmt(q_high)}；Q低 = {fmt(q_low)}；抽取 X = {x}；"
                     f"评标参考价 = ({fmt(q_high)} − {fmt(q_low)}) / 100 × {x} + {fmt(q_low)} = {fmt(base)}")
    elif code == "B8":
        if "weight_sets" in params:
            sets = params["weight_sets"]
            weights = [_dec(w) for w in sets[draw_index(_need_seed(seed, "the weights"), len(sets), "weights")]]
            draws["weights"] = ",".join(str(w) for w in weights)
        else:
            weights = [_dec(w) for w in params["weights"]]
        a, b, c, d = weights
        parts = (mean(prices), median(prices), lower_quartile(prices), geometric_mean(prices))
        base = a * parts[0] + b * parts[1] + c * parts[2] + d * parts[3]
        k = _dec(params.get("k", 1))
        steps.append(f"B8 算术平均 {fmt(parts[0])}，中位数 {fmt(parts[1])}，下四分位数 {fmt(parts[2])}，几何平均 "
                     f"{fmt(parts[3])}；权重 {a}、{b}、{c}、{d} → {fmt(base)}")
        if k != 1:
            base *= k
            steps.append(f"B8 × K {k} = {fmt(base)}")
    else:
        raise MethodError(_("Unknown benchmark method %(code)r.")
            % {"code": code}, code="invalid_benchmark", field="benchmark")
    return base, excluded


def deviation_score(price: Decimal, base: Decimal, points: Decimal, params: dict[str, Any]) -> Decimal:
    """The price score of ``price`` against the benchmark ``base`` (module text), full precision, ≥ 0."""
    above = _dec(params.get("above_per_pct", 1))
    below = _dec(params.get("below_per_pct", 0))
    band_low = _dec(params["band_low"]) if "band_low" in params else Decimal(1)
    scale = Decimal(100) if params.get("scale") == "hundred" else points
    if price > base:
        deduction = above * (price - base) / base * 100
    elif price < band_low * base:
        deduction = below * (band_low * base - price) / base * 100
    else:
        deduction = Decimal(0)
    score = max(scale - deduction, Decimal(0))
    return score * points / scale if scale != points else score
