"""``evaluate``: one lot's bids, the experts' scores and the method configuration → ranked outcome.

Common pipeline (every method):

1. Arithmetic correction of itemised bids (:func:`.prices.arithmetic_correction`, M87 第59条).
2. Evaluated price = corrected price × (1 − SME deduction) for small/micro enterprises (P-062); for the works
   lowest-evaluated-price method plus the declared 折算 items (rules.md §2.3).
3. Non-compliant bids take no part in the benchmark or the ranking (rank ``None``, flag ``non_compliant``).

Scoring methods (``comprehensive_score`` — 政采 综合评分法, M87 第55条; ``comprehensive_evaluation`` — 工程
综合评估法, rules.md §2.4):

* price score: 政采 = benchmark / evaluated price × price points, benchmark = lowest valid evaluated price
  (M87 第55条; highest and lowest are never dropped); 工程 = deviation scoring against the configured
  benchmark (:mod:`.benchmark`).
* subjective criteria: the plain arithmetic mean over all experts (M87 sets no trimming of expert scores; no
  score is dropped);
* objective criteria: computed from the terms (:mod:`.objective`); experts' entries for them are ignored;
* rounding: every component (price score, each criterion's mean) is rounded to ``config.decimals`` places,
  ROUND_HALF_UP, from full precision; the total is the sum of the rounded components, so the published
  table adds up; ranking uses the rounded total (what is published).
* ties (M87 第57条): total descending; then ``tie_break``: ``"price"`` lower evaluated price, ``"technical"``
  higher sum of technical criteria; bids still equal share the rank (并列, flag ``tied``) and are resolved as
  the tender documents say or by a draw (M87 第68条) — outside this library.

Price methods (``lowest_price`` 政采 最低评标价法 M87 第56条; ``lowest_evaluated_price`` 工程 TBL 第41条(二);
``lowest_quote`` 询价/谈判 GPL 第38、40条; ``negotiated`` 单一来源): ranked by evaluated price ascending; price
score and total are 0 (no points are awarded). Ties: ``tie_break="price"`` (default) puts the lower *quoted*
(corrected, before deductions and 折算) price first — for ``lowest_price`` the rule is 并列 (rules.md §2.2), so
there only ``"none"`` applies; remaining ties share the rank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from .benchmark import benchmark_price, deviation_score, fmt, median
from .objective import objective_scores, term_number
from .prices import abnormally_low, arithmetic_correction, sme_evaluated
from .types import BidInput, Correction, Criterion, MethodConfig, MethodError, Outcome, Outlier, Row

SCORE_METHODS = frozenset({"comprehensive_score", "comprehensive_evaluation"})
PRICE_METHODS = frozenset({"lowest_price", "lowest_evaluated_price", "lowest_quote", "negotiated"})
METHODS = SCORE_METHODS | PRICE_METHODS
SIZE_NAMES = {"large": "大型企业", "medium": "中型企业", "small": "小型企业", "micro": "微型企业"}


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _subjective(criterion: Criterion) -> bool:
    return criterion.objective is None and criterion.kind in ("technical", "commercial")


def _check_inputs(config: MethodConfig, bids: Sequence[BidInput],
                  scores: Mapping[str, Mapping[str, Mapping[str, Decimal]]]) -> None:
    if config.method not in METHODS:
        raise MethodError(_("Unknown evaluation method %(method)r.") % {"method": config.method}, code="invalid_method")
    refs = [b.ref for b in bids]
    if len(set(refs)) != len(refs):
        raise MethodError(_("Two bids share a reference."), code="duplicate_bid")
    codes = [c.code for c in config.criteria]
    if len(set(codes)) != len(codes):
        raise MethodError(_("Two criteria share a code."), code="duplicate_criterion")
    for bid in bids:
        if not isinstance(bid.price, Decimal) or bid.price <= 0:
            raise MethodError(_("Bid %(ref)s: the price must be a positive number.")
                % {"ref": bid.ref}, code="invalid_price",
                              field="price")
    by_code = {c.code: c for c in config.criteria}
    known = set(refs)
    for expert, per_bid in scores.items():
        for ref, per_criterion in per_bid.items():
            if ref not in known:
                raise MethodError(_("Expert %(expert)s scored an unknown bid %(ref)s.")
                    % {"expert": expert, "ref": ref}, code="unknown_bid")
            for code, value in per_criterion.items():
                criterion = by_code.get(code)
                if criterion is None:
                    raise MethodError(_("Expert %(expert)s scored an unknown criterion %(code)s.")
                        % {"expert": expert, "code": code},
                                      code="unknown_criterion")
                if not isinstance(value, Decimal):
                    raise MethodError(_("Scores must be numbers."), code="invalid_score")
                if not Decimal(0) <= value <= criterion.points:
                    raise MethodError(
                        _("Expert %(expert)s, bid %(ref)s, criterion %(code)s: %(value)s is outside 0–%(max)s "
                          "(M87 第64条: a score outside the item's range).")
                        % {"expert": expert, "ref": ref, "code": code, "value": value, "max": criterion.points},
                        code="score_out_of_range")


def _prices(config: MethodConfig, bids: Sequence[BidInput], steps: list[str],
            corrections: dict[str, Correction]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    corrected: dict[str, Decimal] = {}
    evaluated: dict[str, Decimal] = {}
    adjustments = [c for c in config.criteria if c.objective and "price_adjustment" in c.objective]
    for bid in bids:
        price = bid.price
        if bid.price_lines:
            correction = arithmetic_correction(bid.price_lines, bid.price)
            if correction.changes:
                corrections[bid.ref] = correction
                steps.append(f"{bid.ref}：算术修正 {fmt(bid.price)} → {fmt(correction.corrected_total)}（M87 第59条）")
            price = correction.corrected_total
        corrected[bid.ref] = price
        ev = sme_evaluated(price, bid.enterprise_size, config.sme_deduction)
        if ev != price:
            steps.append(f"{bid.ref}：{SIZE_NAMES.get(bid.enterprise_size, bid.enterprise_size)}，价格扣除 "
                         f"{fmt(config.sme_deduction)}：{fmt(price)} × (1 − {fmt(config.sme_deduction)}) = {fmt(ev)}"
                         "（仅用于评审，合同价格仍为投标报价）")
        if config.method == "lowest_evaluated_price":
            for c in adjustments:
                adj = c.objective["price_adjustment"]  # type: ignore[index]
                value = term_number(bid.terms, adj["term"])
                if value is None:
                    continue
                delta = (value - Decimal(str(adj["reference"]))) * Decimal(str(adj["per_unit"]))
                if delta:
                    steps.append(f"{bid.ref}：{c.name}折算（{adj['term']} {value} − {adj['reference']}）"
                                 f"× {adj['per_unit']} = {fmt(delta)}")
                    ev += delta
        evaluated[bid.ref] = ev
    return corrected, evaluated


def evaluate(config: MethodConfig, bids: Sequence[BidInput],
             scores: Mapping[str, Mapping[str, Mapping[str, Decimal]]], *,
             random_value: bytes | None = None) -> Outcome:
    """Score and rank the bids of one lot (module text). ``scores``: expert → bid ref → criterion code →
    points. Raises :class:`MethodError` on input it cannot score."""
    _check_inputs(config, bids, scores)
    steps: list[str] = []
    corrections: dict[str, Correction] = {}
    draws: dict[str, str] = {}
    corrected, evaluated = _prices(config, bids, steps, corrections)
    flags: dict[str, list[str]] = {b.ref: [] for b in bids}
    valid = [b for b in bids if b.compliant]
    for b in bids:
        if not b.compliant:
            flags[b.ref].append("non_compliant")
    for ref in sorted(abnormally_low(bids, config, corrected)):
        flags[ref].append("abnormally_low")
    d = config.decimals
    rows: list[Row] = []
    base: Decimal | None = None
    outliers: list[Outlier] = []
    if config.method in SCORE_METHODS:
        price_criteria = [c for c in config.criteria if c.kind == "price"]
        price_points = sum((c.points for c in price_criteria), Decimal(0))
        price_scores: dict[str, Decimal] = {}
        if valid and price_points:
            valid_prices = [evaluated[b.ref] for b in valid]
            if config.method == "comprehensive_score":
                base = min(valid_prices)
                steps.append(f"评标基准价 = 最低有效评审价 = {fmt(base)}（M87 第55条）")
                for b in valid:
                    price_scores[b.ref] = base / evaluated[b.ref] * price_points
                    steps.append(f"{b.ref}：价格分 = {fmt(base)} / {fmt(evaluated[b.ref])} × {fmt(price_points)} = "
                                 f"{_round(price_scores[b.ref], d)}")
            else:
                params = dict(config.benchmark or {"method": "B1"})
                base, excluded = benchmark_price(params, valid_prices, random_value, steps, draws)
                for i in sorted(excluded):
                    flags[valid[i].ref].append("below_validity_limit")
                for b in valid:
                    price_scores[b.ref] = deviation_score(evaluated[b.ref], base, price_points, params)
                    dev = (evaluated[b.ref] - base) / base * 100
                    steps.append(f"{b.ref}：偏差率 {dev:.4f}% → 报价得分 {_round(price_scores[b.ref], d)}")
        terms_by_ref = {b.ref: b.terms for b in valid}
        criterion_scores: dict[str, dict[str, Decimal]] = {b.ref: {} for b in valid}
        experts = sorted(scores)
        subjective = [c for c in config.criteria if _subjective(c)]
        for c in config.criteria:
            if c.objective is not None and c.kind not in ("price", "pass_fail") \
                    and "price_adjustment" not in c.objective:
                for ref, pts in objective_scores(c, terms_by_ref, flags).items():
                    criterion_scores[ref][c.code] = pts
        if subjective and valid and not experts:
            raise MethodError(_("No expert has scored."), code="score_missing")
        found: dict[str, list[Outlier]] = {c.code: [] for c in subjective}
        limit = {c.code: config.outlier_share * c.points for c in subjective}
        empty: Mapping[str, Decimal] = {}
        for b in valid:
            # One lookup per expert and bid, then per criterion (225,000 scores in the benchmark).
            sheets = [(expert, scores[expert].get(b.ref) or empty) for expert in experts]
            mine = criterion_scores[b.ref]
            for c in subjective:
                code = c.code
                values = []
                for expert, sheet in sheets:
                    value = sheet.get(code)
                    if value is None:
                        raise MethodError(_("Expert %(expert)s has not scored bid %(ref)s on %(code)s.")
                                          % {"expert": expert, "ref": b.ref, "code": code},
                                          code="score_missing")
                    values.append(value)
                mine[code] = sum(values, Decimal(0)) / len(values)
                mid = median(values)
                for (expert, _sheet), value in zip(sheets, values, strict=True):
                    if abs(value - mid) > limit[code]:
                        found[code].append(Outlier(expert, b.ref, code, value, mid))
        for c in subjective:
            outliers.extend(found[c.code])
        for b in valid:
            rounded = {c.code: _round(criterion_scores[b.ref][c.code], d) for c in config.criteria
                       if c.code in criterion_scores[b.ref]}
            ps = _round(price_scores.get(b.ref, Decimal(0)), d)
            total = ps + sum(rounded.values(), Decimal(0))
            rows.append(Row(b.ref, b.price, corrected[b.ref], evaluated[b.ref], ps, rounded, total, None,
                            flags[b.ref]))
        technical = {c.code for c in config.criteria if c.kind == "technical"}

        def key(r: Row) -> tuple[Decimal, ...]:
            if config.tie_break == "price":
                return (-r.total, r.evaluated_price)
            if config.tie_break == "technical":
                return (-r.total, -sum((v for k, v in r.criterion_scores.items() if k in technical), Decimal(0)))
            return (-r.total,)
    else:
        for b in valid:
            rows.append(Row(b.ref, b.price, corrected[b.ref], evaluated[b.ref], Decimal(0), {}, Decimal(0), None,
                            flags[b.ref]))
        if valid:
            base = min(evaluated[b.ref] for b in valid)
            steps.append(f"最低有效评审价 = {fmt(base)}")
        tie_on_quote = config.tie_break == "price" and config.method != "lowest_price"

        def key(r: Row) -> tuple[Decimal, ...]:
            return (r.evaluated_price, r.corrected_price) if tie_on_quote else (r.evaluated_price,)
    rows.sort(key=lambda r: (key(r), r.ref))
    rank = 0
    previous: tuple[Decimal, ...] | None = None
    for position, row in enumerate(rows, start=1):
        k = key(row)
        if k != previous:
            rank = position
        row.rank = rank
        previous = k
    counts: dict[int, int] = defaultdict(int)
    for row in rows:
        counts[row.rank] += 1  # type: ignore[index]
    for row in rows:
        if counts[row.rank] > 1:  # type: ignore[index]
            row.flags.append("tied")
    for b in bids:
        if not b.compliant:
            rows.append(Row(b.ref, b.price, corrected[b.ref], evaluated[b.ref], Decimal(0), {}, Decimal(0), None,
                            flags[b.ref], compliant=False))
    names = {c.code: c.name for c in config.criteria}
    for o in outliers:
        steps.append(f"评分偏离：评委 {o.expert}，{o.ref}，{names[o.code]}：{fmt(o.score)}，中位数 {fmt(o.median)}")
    return Outcome(config.method, rows, base, outliers, steps, corrections, draws)


def scores_from_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, Decimal]]]:
    """Helper: flat rows ``{"expert", "ref", "code", "score"}`` → the nested ``scores`` mapping."""
    out: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        out[str(r["expert"])][str(r["ref"])][str(r["code"])] = Decimal(str(r["score"]))
    return {e: dict(v) for e, v in out.items()}
