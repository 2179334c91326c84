"""The committee's composition (rules.md §3.1): size, odd number, expert share, and the chair.

The limits come from the rule set through the methods library (``committee_limits_from_rules``: G-026 for
works, P-021 for procurement tenders with ≥ 7 above its budget, P-050/P-059 for the small procedures); this
module applies them to the seats of a real committee with translated messages, and adds P-023 (the
purchaser's representative may not chair)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Seat:
    kind: str  # "expert" | "purchaser_rep"
    is_chair: bool = False


@dataclass(frozen=True)
class CommitteeProblem:
    message: str
    rule: str


def committee_problems(*, procedure: Any, budget: Decimal, seats: list[Seat]) -> list[CommitteeProblem]:
    """Everything wrong with a committee, each with the rule it breaks; [] = it may start."""
    from .methods import committee_limits_from_rules, procedure_category

    limits = committee_limits_from_rules(procedure_category(procedure), procedure.method)
    problems: list[CommitteeProblem] = []
    size = len(seats)
    experts = sum(1 for s in seats if s.kind == "expert")
    minimum = limits.min_size
    if limits.large_budget is not None and limits.large_min_size and budget >= limits.large_budget:
        minimum = limits.large_min_size
    if size < minimum:
        problems.append(CommitteeProblem(
            _("The committee has %(n)s members; at least %(min)s are required.") % {"n": size, "min": minimum},
            limits.rule))
    if limits.odd and size % 2 == 0:
        problems.append(CommitteeProblem(
            _("The committee must have an odd number of members (it has %(n)s).") % {"n": size}, limits.rule))
    if limits.expert_share is not None and size and Fraction(experts, size) < Fraction(limits.expert_share):
        problems.append(CommitteeProblem(
            _("Experts must be at least two thirds of the committee (%(e)s of %(n)s).") % {"e": experts, "n": size},
            limits.rule))
    if any(s.is_chair and s.kind != "expert" for s in seats):
        problems.append(CommitteeProblem(_("The purchaser's representative may not chair the committee."), "P-023"))
    return problems
