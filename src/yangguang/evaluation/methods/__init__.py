"""Scoring methods of the evaluation (rules.md §2): pure Python, Decimal arithmetic, no models.

See ``docs/evaluation-methods.md`` for every method's formula, rounding and tie-break with its source.
"""

from .benchmark import METHODS as BENCHMARK_METHODS
from .benchmark import benchmark_price, deviation_score, draw_index, k_factor
from .config import (
    CommitteeLimits,
    Limits,
    committee_findings,
    committee_limits_from_rules,
    committee_problems,
    config_findings,
    config_problems,
    criteria_from_procedure,
    limits_from_rules,
    procedure_category,
)
from .prices import abnormally_low, arithmetic_correction, sme_evaluated
from .scoring import METHODS, PRICE_METHODS, SCORE_METHODS, evaluate, scores_from_rows
from .types import (
    BidInput,
    Correction,
    Criterion,
    MethodConfig,
    MethodError,
    Outcome,
    Outlier,
    PriceLine,
    Problem,
    Row,
)

__all__ = [
    "BENCHMARK_METHODS", "METHODS", "PRICE_METHODS", "SCORE_METHODS",
    "BidInput", "CommitteeLimits", "Correction", "Criterion", "Limits", "MethodConfig", "MethodError", "Outcome",
    "Outlier", "PriceLine", "Problem", "Row",
    "abnormally_low", "arithmetic_correction", "benchmark_price", "committee_findings",
    "committee_limits_from_rules", "committee_problems", "config_findings", "config_problems",
    "criteria_from_procedure", "deviation_score", "draw_index", "evaluate", "k_factor", "limits_from_rules",
    "procedure_category", "scores_from_rows", "sme_evaluated",
]
