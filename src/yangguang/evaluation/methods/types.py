"""Plain data of the scoring methods library: inputs (criteria, bids, configuration), outputs (outcome rows),
and the error the library raises on input it cannot score. No Django models, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class MethodError(ValueError):
    """Input the library cannot score (a score outside a criterion's range, a missing random value …).
    ``code`` is stable for callers; the message is English (callers translate or wrap it)."""

    def __init__(self, message: str, *, code: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Criterion:
    """One evaluation factor worth ``points`` of 100. ``objective`` declares how it is computed from the bid's
    terms (see :mod:`.objective`); ``None`` means the experts score it."""

    code: str
    name: str
    kind: str  # "price" | "technical" | "commercial" | "pass_fail"
    points: Decimal
    objective: dict[str, Any] | None = None


@dataclass(frozen=True)
class PriceLine:
    item: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class BidInput:
    """A bid after the compliance review. ``price`` is the total read out at opening; ``price_lines`` (optional)
    are the itemised lines used for the arithmetic correction (M87 第59条)."""

    ref: str
    price: Decimal
    enterprise_size: str  # "large" | "medium" | "small" | "micro"
    compliant: bool
    terms: dict[str, Any] = field(default_factory=dict)
    price_lines: tuple[PriceLine, ...] = ()


@dataclass(frozen=True)
class MethodConfig:
    """How a lot is evaluated. ``sme_deduction`` is the policy price deduction for small and micro enterprises
    as a fraction (0.10 = 10 %); ``benchmark`` the construction benchmark-price method and its parameters
    (``{"method": "B3", "discount": "0.05", "above_per_pct": "1", "below_per_pct": "0.5"}``, see
    :mod:`.benchmark`); ``abnormal`` the abnormally-low test (``{"ratio_of_others_mean": "0.8"}`` and/or
    ``{"ratio_of_budget": "0.7", "budget": "1000000"}``); ``outlier_share`` flags a subjective score farther
    than this share of the criterion's points from the committee median; ``decimals`` the published rounding."""

    method: str
    category: str  # "works" | "goods" | "services"
    criteria: tuple[Criterion, ...]
    sme_deduction: Decimal = Decimal(0)
    benchmark: dict[str, Any] | None = None
    tie_break: str = "price"  # "price" | "technical" | "none"
    abnormal: dict[str, Any] | None = None
    outlier_share: Decimal = Decimal("0.30")
    decimals: int = 2
    procedure_method: str = ""  # tendering preset code (selects e.g. the 磋商 price-weight range)


@dataclass(frozen=True)
class Correction:
    corrected_total: Decimal
    changes: list[str]
    lines: tuple[PriceLine, ...] = ()


@dataclass
class Row:
    ref: str
    quoted_price: Decimal
    corrected_price: Decimal
    evaluated_price: Decimal
    price_score: Decimal
    criterion_scores: dict[str, Decimal]
    total: Decimal
    rank: int | None  # None: not ranked (non-compliant)
    flags: list[str] = field(default_factory=list)
    compliant: bool = True


@dataclass(frozen=True)
class Outlier:
    expert: str
    ref: str
    code: str
    score: Decimal
    median: Decimal

    def __iter__(self):  # type: ignore[no-untyped-def]
        # The contract describes outliers as tuples (expert, ref, code, score, median).
        return iter((self.expert, self.ref, self.code, self.score, self.median))


@dataclass
class Outcome:
    method: str
    rows: list[Row]
    benchmark_price: Decimal | None
    outliers: list[Outlier]
    steps: list[str]
    corrections: dict[str, Correction] = field(default_factory=dict)
    random_draws: dict[str, str] = field(default_factory=dict)  # what was drawn from random_value, e.g. {"K": "0.96"}

    def row(self, ref: str) -> Row:
        for r in self.rows:
            if r.ref == ref:
                return r
        raise KeyError(ref)


@dataclass(frozen=True)
class Problem:
    """A breach found in a configuration or a committee: ``rule`` is the rule code (rules.md §1) when a legal
    rule is at stake (the caller passes it to ``rules.services.rule_check``), "" for a structural error."""

    message: str
    rule: str = ""
    field: str = "evaluation_criteria"

    def __str__(self) -> str:
        return self.message
