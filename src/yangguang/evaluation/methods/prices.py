"""Prices before scoring: arithmetic correction (算术修正), the SME policy deduction and the abnormally-low test.

Arithmetic correction follows M87 第59条 (rules.md P-029, ✅V), in the order the article gives:

1. 开标一览表 prevails over the rest of the bid — the platform's price sheet *is* the 开标一览表, so the stated
   total read out at opening is the starting point; nothing to do in code.
2. 大写 prevails over 小写 — not applicable: the electronic price sheet records figures only (no amount in words).
3. A unit price with an obviously misplaced decimal point: the line amount (总价) prevails and the unit price is
   corrected. Implemented as: ``unit_price × 10^k × quantity == amount`` for some k in ±1..±4.
4. A line amount that disagrees with unit price × quantity, and a total that disagrees with the sum of the
   lines: the unit prices prevail (amount := unit price × quantity; total := Σ amounts).

Amounts are compared and stored to the cent (ROUND_HALF_UP); nothing else is rounded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .types import BidInput, Correction, MethodConfig, PriceLine

CENT = Decimal("0.01")
SMALL_SIZES = frozenset({"small", "micro"})


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def price_line(data: PriceLine | Mapping[str, Any]) -> PriceLine:
    if isinstance(data, PriceLine):
        return data
    return PriceLine(item=str(data.get("item", "")), quantity=_dec(data["quantity"]),
                     unit_price=_dec(data["unit_price"]), amount=_dec(data["amount"]))


def arithmetic_correction(lines: Iterable[PriceLine | Mapping[str, Any]], stated_total: Decimal) -> Correction:
    """Correct itemised price lines and the stated total per M87 第59条 (see the module text). Returns the
    corrected total and one human-readable line per change (empty: nothing changed)."""
    changes: list[str] = []
    fixed: list[PriceLine] = []
    for n, raw in enumerate(lines, start=1):
        line = price_line(raw)
        computed = cents(line.unit_price * line.quantity)
        if computed == cents(line.amount):
            fixed.append(line)
            continue
        misplaced = None
        if line.quantity:
            for k in (1, -1, 2, -2, 3, -3, 4, -4):
                if cents(line.unit_price * Decimal(10) ** k * line.quantity) == cents(line.amount):
                    misplaced = line.unit_price * Decimal(10) ** k
                    break
        if misplaced is not None:
            changes.append(
                f"第{n}行（{line.item}）：单价 {line.unit_price} 小数点明显错位，以总价 {cents(line.amount)} 为准，"
                f"单价修正为 {misplaced.normalize():f}（M87 第59条(三)）")
            fixed.append(PriceLine(line.item, line.quantity, misplaced, line.amount))
        else:
            changes.append(
                f"第{n}行（{line.item}）：金额 {cents(line.amount)} ≠ {line.unit_price} × {line.quantity} = "
                f"{computed}，以单价计算结果为准（M87 第59条(四)）")
            fixed.append(PriceLine(line.item, line.quantity, line.unit_price, computed))
    if not fixed:
        return Correction(cents(stated_total), changes, ())
    total = cents(sum((cents(line.amount) for line in fixed), Decimal(0)))
    if total != cents(stated_total):
        changes.append(f"总价 {cents(stated_total)} ≠ 分项汇总 {total}，以单价汇总结果为准（M87 第59条(四)）")
    return Correction(total, changes, tuple(fixed))


def sme_evaluated(price: Decimal, enterprise_size: str, deduction: Decimal) -> Decimal:
    """The evaluated price after the small/micro-enterprise deduction (财库〔2020〕46号, rules.md P-062):
    ``price × (1 − deduction)`` for small and micro enterprises, unchanged otherwise. Only the evaluated price
    changes, never the contract price. Kept at full precision (rounded only where published)."""
    if deduction and enterprise_size in SMALL_SIZES:
        return price * (1 - deduction)
    return price


def abnormally_low(bids: Sequence[BidInput], config: MethodConfig,
                   prices: Mapping[str, Decimal] | None = None) -> set[str]:
    """Refs of compliant bids whose price is abnormally low (M87 第60条 / rules.md P-030; the threshold is not
    fixed by law, so it is data in ``config.abnormal``):

    * ``ratio_of_others_mean``: price < ratio × mean of the *other* compliant bids' prices;
    * ``ratio_of_budget`` with ``budget``: price < ratio × budget.

    ``prices`` (ref → price) overrides the bid prices, e.g. with corrected prices. A flag asks the bidder for a
    written explanation; it never rejects by itself."""
    rules = config.abnormal or {}
    valid = [b for b in bids if b.compliant]
    price_of = {b.ref: (prices or {}).get(b.ref, b.price) for b in valid}
    flagged: set[str] = set()
    if "ratio_of_others_mean" in rules and len(valid) > 1:
        ratio = _dec(rules["ratio_of_others_mean"])
        total = sum(price_of.values(), Decimal(0))
        for ref, price in price_of.items():
            others_mean = (total - price) / (len(valid) - 1)
            if price < ratio * others_mean:
                flagged.add(ref)
    if "ratio_of_budget" in rules and rules.get("budget") is not None:
        limit = _dec(rules["ratio_of_budget"]) * _dec(rules["budget"])
        flagged.update(ref for ref, price in price_of.items() if price < limit)
    return flagged
