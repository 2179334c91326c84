"""Objective criteria: points computed from a bid's quoted terms by the rule declared in
``Criterion.objective`` (published in the tender documents, so every expert gets the same figure — M87
第62条 requires objective scores to be consistent). Forms:

* ``{"term": "warranty_years", "better": "higher", "formula": "ratio"}`` — points × value / best value
  (``better: "lower"``: points × best / value; e.g. a shorter duration). Best = over the compliant bids.
* ``{"term": "duration_days", "better": "lower", "formula": "steps", "steps": [{"limit": 180, "points": 5},
  {"limit": 200, "points": 3}]}`` — the points of the best step the value reaches (``higher``: value ≥ limit;
  ``lower``: value ≤ limit), 0 if none.
* ``{"term": "iso9001", "formula": "equals", "value": "yes"}`` — full points if the term equals the value.
* ``{"price_adjustment": {"term": "duration_days", "reference": 180, "per_unit": "5000"}}`` — not scored: a
  折算 item of the works lowest-evaluated-price method, adding (value − reference) × per_unit to the evaluated
  price (rules.md §2.3).

A bid without the term scores 0 and is flagged ``missing_term:<term>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .types import Criterion, MethodError

FORMULAS = ("ratio", "steps", "equals")


def term_number(terms: Mapping[str, Any], term: str) -> Decimal | None:
    if term not in terms or terms[term] in (None, ""):
        return None
    try:
        return Decimal(str(terms[term]).strip())
    except InvalidOperation:
        return None


def objective_rule_problems(criterion: Criterion) -> list[str]:
    rule = criterion.objective or {}
    if "price_adjustment" in rule:
        adj = rule["price_adjustment"]
        missing = [k for k in ("term", "reference", "per_unit") if k not in adj]
        return [_("Criterion %(code)s: the price adjustment lacks %(keys)s.")
            % {"code": criterion.code, "keys": ", ".join(missing)}] if missing else []
    problems = []
    if not rule.get("term"):
        problems.append(_("Criterion %(code)s: the objective rule names no term.") % {"code": criterion.code})
    formula = rule.get("formula", "ratio")
    if formula not in FORMULAS:
        problems.append(_("Criterion %(code)s: unknown formula %(formula)r.")
            % {"code": criterion.code, "formula": formula})
    if formula in ("ratio", "steps") and rule.get("better", "higher") not in ("higher", "lower"):
        problems.append(_("Criterion %(code)s: “better” is “higher” or “lower”.") % {"code": criterion.code})
    if formula == "steps":
        for step in rule.get("steps") or []:
            if Decimal(str(step.get("points", 0))) > criterion.points:
                problems.append(_("Criterion %(code)s: a step gives more than %(points)s points.")
                                % {"code": criterion.code, "points": criterion.points})
        if not rule.get("steps"):
            problems.append(_("Criterion %(code)s: no steps declared.") % {"code": criterion.code})
    return problems


def objective_scores(criterion: Criterion, terms_by_ref: Mapping[str, Mapping[str, Any]],
                     flags: dict[str, list[str]]) -> dict[str, Decimal]:
    """Full-precision points of every bid (ref → points) on one objective criterion."""
    rule = criterion.objective or {}
    term = rule.get("term", "")
    formula = rule.get("formula", "ratio")
    better = rule.get("better", "higher")
    points = criterion.points
    out: dict[str, Decimal] = {}
    if formula == "equals":
        for ref, terms in terms_by_ref.items():
            if term not in terms:
                flags[ref].append(f"missing_term:{term}")
            out[ref] = points if str(terms.get(term, "")).strip() == str(rule.get("value", "")).strip() \
                else Decimal(0)
        return out
    values = {ref: term_number(terms, term) for ref, terms in terms_by_ref.items()}
    for ref, v in values.items():
        if v is None:
            flags[ref].append(f"missing_term:{term}")
    present = [v for v in values.values() if v is not None]
    if formula == "ratio":
        if better == "higher":
            best = max(present, default=Decimal(0))
            for ref, v in values.items():
                out[ref] = points * v / best if v is not None and best > 0 and v > 0 else Decimal(0)
        else:
            positive = [v for v in present if v > 0]
            best = min(positive, default=Decimal(0))
            for ref, v in values.items():
                out[ref] = points * best / v if v is not None and v > 0 and best > 0 else Decimal(0)
        return out
    if formula == "steps":
        steps = [(Decimal(str(s["limit"])), Decimal(str(s["points"]))) for s in rule.get("steps") or []]
        for ref, v in values.items():
            reached = [p for limit, p in steps if v is not None and (v >= limit if better == "higher" else v <= limit)]
            out[ref] = max(reached, default=Decimal(0))
        return out
    raise MethodError(_("Criterion %(code)s: unknown formula %(formula)r.")
        % {"code": criterion.code, "formula": formula}, code="invalid_criteria")
