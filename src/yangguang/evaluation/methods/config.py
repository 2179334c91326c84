"""Checking a method configuration and a committee against the legal ranges, and building a configuration
from a tendering procedure.

The checks are pure: the legal numbers come in a :class:`Limits` / :class:`CommitteeLimits` value. Production
code reads them from the rule set with :func:`limits_from_rules` / :func:`committee_limits_from_rules` (which
need the database); tests pass them in. A missing structured parameter in the rule set leaves that bound
unchecked and says so in ``Limits.notes`` (never a number invented here).

Sources: price weight — P-026 (M87 第55条, 公开/邀请招标 goods ≥ 30 %, services ≥ 10 %) and P-060 (磋商, goods
30–60 %, services 10–30 %, unconfirmed); SME deduction range — P-062 (unconfirmed); committees — G-026
(工程, TBL 第37条), P-021 (政采 招标, M87 第47条), P-050 (谈判/询价, GPL 第38、40条), P-059 (磋商, unconfirmed).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from .benchmark import METHODS as BENCHMARK_METHODS
from .objective import objective_rule_problems
from .scoring import METHODS, SCORE_METHODS
from .types import Criterion, MethodConfig, Problem

Bound = tuple[Decimal | None, Decimal | None]
CONSULTATION = "procurement_consultation"
SMALL_PANEL_METHODS = frozenset({"procurement_negotiation", "procurement_rfq", "procurement_single_source"})


@dataclass(frozen=True)
class Limits:
    """Legal ranges for one procedure. ``price_weight`` maps a category to (min, max) as fractions of 100
    points with the rule code that sets it; ``sme_deduction`` the allowed (min, max) deduction."""

    price_weight: Mapping[str, tuple[Bound, str]] = field(default_factory=dict)
    sme_deduction: tuple[Bound, str] | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommitteeLimits:
    rule: str
    min_size: int
    odd: bool
    expert_share: Fraction | None
    large_budget: Decimal | None = None  # yuan; at or above: large_min_size
    large_min_size: int | None = None


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _category(category: str) -> str:
    return {"goods": _("goods"), "services": _("services"), "works": _("works")}.get(category, category)


def _pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f} %"


def config_findings(config: MethodConfig, limits: Limits | None = None) -> list[Problem]:
    """Every problem of ``config``; those with a ``rule`` breach a legal range (the caller passes them to
    ``rule_check``), the others are structural (the configuration cannot be evaluated)."""
    problems: list[Problem] = []
    if config.method not in METHODS:
        return [Problem(_("Unknown evaluation method %(method)r.") % {"method": config.method})]
    codes = [c.code for c in config.criteria]
    if len(set(codes)) != len(codes):
        problems.append(Problem(_("Two criteria share a code.")))
    for c in config.criteria:
        if c.kind not in ("price", "technical", "commercial", "pass_fail"):
            problems.append(Problem(_("Criterion %(code)s: unknown kind %(kind)r.") % {"code": c.code, "kind": c.kind}))
        if c.points < 0 or c.points > 100:
            problems.append(Problem(_("Criterion %(code)s: the points lie between 0 and 100.") % {"code": c.code}))
        if c.kind == "pass_fail" and c.points:
            problems.append(Problem(_("Criterion %(code)s: a pass/fail criterion carries no points.")
                % {"code": c.code}))
        if c.objective is not None:
            problems.extend(Problem(p) for p in objective_rule_problems(c))
            if "标底" in str(c.objective) or "reserve_price" in str(c.objective):
                problems.append(Problem(_("Criterion %(code)s: closeness to the 标底 may not decide the award.")
                    % {"code": c.code},
                                        rule="G-031"))
    price = [c for c in config.criteria if c.kind == "price"]
    if config.method in SCORE_METHODS:
        total = sum((c.points for c in config.criteria), Decimal(0))
        if total != 100:
            problems.append(Problem(_("The criteria add up to %(total)s points, not 100.") % {"total": total}))
        if len(price) > 1:
            problems.append(Problem(_("One price criterion at most.")))
        weight = sum((c.points for c in price), Decimal(0)) / 100
        if price and limits is not None and config.category in limits.price_weight:
            (low, high), rule = limits.price_weight[config.category]
            if low is not None and weight < low:
                problems.append(Problem(_("The price weight %(weight)s is below the legal minimum %(limit)s for "
                                          "%(category)s.") % {"weight": _pct(weight), "limit": _pct(low),
                                                               "category": _category(config.category)}, rule=rule))
            if high is not None and weight > high:
                problems.append(Problem(_("The price weight %(weight)s is above the legal maximum %(limit)s for "
                                          "%(category)s.") % {"weight": _pct(weight), "limit": _pct(high),
                                                               "category": _category(config.category)}, rule=rule))
    if config.method == "comprehensive_evaluation":
        bench = config.benchmark or {}
        if bench.get("method", "B1") not in BENCHMARK_METHODS:
            problems.append(Problem(_("Unknown benchmark method %(code)r.") % {"code": bench.get("method")},
                                    field="benchmark"))
        for key in {"B5": ("k_choices",), "B6": ("alpha", "ceiling"), "B7": ()}.get(bench.get("method", ""), ()):
            if key not in bench:
                problems.append(Problem(_("Benchmark method %(code)s needs %(key)s.")
                    % {"code": bench["method"], "key": key},
                                        field="benchmark"))
    elif config.benchmark and config.benchmark.get("method", "B1") != "B1":
        # M87 第55条: 政采 uses the lowest price as benchmark and never drops the highest or lowest price.
        problems.append(Problem(_("Only the works comprehensive evaluation sets a benchmark-price method."),
                                rule="P-027", field="benchmark"))
    if config.sme_deduction:
        if not Decimal(0) < config.sme_deduction < 1:
            problems.append(Problem(_("The SME price deduction is a fraction between 0 and 1."),
                                    field="sme_deduction"))
        elif limits is not None and limits.sme_deduction is not None:
            (low, high), rule = limits.sme_deduction
            if (low is not None and config.sme_deduction < low) or (high is not None and config.sme_deduction > high):
                problems.append(Problem(_("The SME price deduction %(value)s is outside %(low)s–%(high)s.")
                                        % {"value": _pct(config.sme_deduction), "low": _pct(low or Decimal(0)),
                                           "high": _pct(high or Decimal(1))}, rule=rule, field="sme_deduction"))
    if config.tie_break not in ("price", "technical", "none"):
        problems.append(Problem(_("Unknown tie-break %(rule)r.") % {"rule": config.tie_break}))
    if config.method == "lowest_price" and config.tie_break != "none":
        # rules.md §2.2: equal prices rank as 并列 (M87 第56条).
        problems.append(Problem(_("Equal prices rank as 并列 under the lowest-price method: use the tie-break “none”."),
                                rule="P-025"))
    return problems


def config_problems(config: MethodConfig, limits: Limits | None = None) -> list[str]:
    """The contract's form: messages only; ``[]`` means publishable."""
    return [p.message for p in config_findings(config, limits)]


def committee_findings(size: int, experts: int, purchaser_reps: int, budget: Decimal | None, category: str,
                       *, limits: CommitteeLimits) -> list[Problem]:
    problems: list[Problem] = []
    rule = limits.rule
    if experts + purchaser_reps != size:
        problems.append(Problem(_("%(experts)s experts and %(reps)s purchaser representatives are not %(size)s "
                                  "members.") % {"experts": experts, "reps": purchaser_reps, "size": size},
                                field="committee"))
    minimum = limits.min_size
    if limits.large_budget is not None and budget is not None and budget >= limits.large_budget \
            and limits.large_min_size:
        minimum = limits.large_min_size
    if size < minimum:
        problems.append(Problem(_("The committee has %(size)s members; at least %(min)s are required.")
                                % {"size": size, "min": minimum}, rule=rule, field="committee"))
    if limits.odd and size % 2 == 0:
        problems.append(Problem(_("The committee has an even number of members (%(size)s).") % {"size": size},
                                rule=rule, field="committee"))
    if limits.expert_share is not None and size and Fraction(experts, size) < limits.expert_share:
        problems.append(Problem(_("Experts are %(experts)s of %(size)s members; at least %(share)s are required.")
                                % {"experts": experts, "size": size, "share": str(limits.expert_share)},
                                rule=rule, field="committee"))
    return problems


def committee_problems(size: int, experts: int, purchaser_reps: int, budget: Decimal | None, category: str,
                       *, procedure_method: str = "", limits: CommitteeLimits | None = None) -> list[str]:
    """Committee composition (rules.md §3.1). ``category``: works | goods | services; ``budget`` in yuan;
    ``limits`` default to the rule set (database)."""
    if limits is None:
        limits = committee_limits_from_rules(category, procedure_method)
    return [p.message for p in committee_findings(size, experts, purchaser_reps, budget, category, limits=limits)]


# --- reading the rule set (database) ------------------------------------------------------------------------


def _param(code: str, key: str, notes: list[str]) -> Decimal | None:
    from yangguang.rules.selectors import rule_param

    try:
        return _dec(rule_param(code, key))
    except (KeyError, InvalidOperation):
        notes.append(f"rule {code} has no parameter {key!r}: that bound is not checked")
        return None


def limits_from_rules(category: str, procedure_method: str = "") -> Limits:
    """The legal ranges of a procedure from the rule set: P-060 for 磋商, P-026 otherwise (政采); works have no
    national price-weight range. SME deduction: P-062 (key ``<goods_services|works>_min/_max``)."""
    notes: list[str] = []
    weights: dict[str, tuple[Bound, str]] = {}
    if category in ("goods", "services"):
        rule = "P-060" if procedure_method == CONSULTATION else "P-026"
        low = _param(rule, f"{category}_min", notes)
        high = _param(rule, f"{category}_max", []) if rule == "P-060" else None
        weights[category] = ((low, high), rule)
    group = "works" if category == "works" else "goods_services"
    sme_low = _param("P-062", f"{group}_min", notes)
    sme_high = _param("P-062", f"{group}_max", notes)
    sme = ((sme_low, sme_high), "P-062") if sme_low is not None or sme_high is not None else None
    return Limits(weights, sme, tuple(notes))


def committee_limits_from_rules(category: str, procedure_method: str = "") -> CommitteeLimits:
    from yangguang.rules.selectors import rule_param

    if category == "works":
        code = "G-026"
    elif procedure_method == CONSULTATION:
        code = "P-059"
    elif procedure_method in SMALL_PANEL_METHODS:
        code = "P-050"
    else:
        code = "P-021"
    params: dict[str, Any] = {}
    for key in ("min_size", "odd", "expert_share", "large_budget_yuan", "large_min_size"):
        with contextlib.suppress(KeyError):
            params[key] = rule_param(code, key)
    share = params.get("expert_share")
    if share is None and code != "G-026":
        # P-021/P-050/P-059 state the same 2/3 expert share as G-026 (M87 第47条, GPL 第38条) without a
        # structured parameter: read it from the rule that has one.
        share = _shared_share()
    return CommitteeLimits(
        rule=code, min_size=int(params.get("min_size", 0)), odd=bool(params.get("odd", False)),
        expert_share=Fraction(str(share)).limit_denominator(100) if share is not None else None,
        large_budget=_dec(params["large_budget_yuan"]) if "large_budget_yuan" in params else None,
        large_min_size=int(params["large_min_size"]) if "large_min_size" in params else None)


def _shared_share() -> Any:
    from yangguang.rules.selectors import rule_param

    try:
        return rule_param("G-026", "expert_share")
    except KeyError:
        return None


# --- from a tendering procedure ------------------------------------------------------------------------------


def procedure_category(procedure_like: Any) -> str:
    """works | goods | services: construction procedures are works; procurement ones say in
    ``extra["subject"]`` (goods/services/works), goods when unstated."""
    project = getattr(procedure_like, "project", None)
    category = getattr(project, "category", "") if project is not None else ""
    if category == "construction":
        return "works"
    subject = str((getattr(procedure_like, "extra", None) or {}).get("subject", "")).strip()
    return subject if subject in ("goods", "services", "works") else "goods"


def _criterion(n: int, item: Mapping[str, Any]) -> Criterion:
    return Criterion(code=str(item.get("code") or f"c{n}"), name=str(item.get("name", "")),
                     kind=str(item.get("kind", "technical")), points=_dec(item.get("weight", item.get("points", 0))),
                     objective=item.get("objective") or None)


def criteria_from_procedure(procedure_like: Any) -> MethodConfig:
    """A :class:`MethodConfig` from a tendering ``Procedure`` (or anything with ``evaluation_method``,
    ``evaluation_criteria``, ``extra``, ``method`` and ``project.category``). Criterion codes are the items'
    ``code`` or ``c1``, ``c2``… by position; ``extra`` may carry ``sme_deduction``, ``benchmark``,
    ``tie_break``, ``abnormal``, ``outlier_share``, ``decimals``, ``subject``."""
    extra = getattr(procedure_like, "extra", None) or {}
    criteria = tuple(_criterion(n, item) for n, item in
                     enumerate(getattr(procedure_like, "evaluation_criteria", None) or [], start=1))
    method = str(procedure_like.evaluation_method)
    kwargs: dict[str, Any] = {}
    if extra.get("sme_deduction") not in (None, ""):
        kwargs["sme_deduction"] = _dec(extra["sme_deduction"])
    if isinstance(extra.get("benchmark"), dict):
        kwargs["benchmark"] = extra["benchmark"]
    if extra.get("tie_break"):
        kwargs["tie_break"] = str(extra["tie_break"])
    elif method == "lowest_price":
        kwargs["tie_break"] = "none"
    if isinstance(extra.get("abnormal"), dict):
        kwargs["abnormal"] = extra["abnormal"]
    if extra.get("outlier_share") not in (None, ""):
        kwargs["outlier_share"] = _dec(extra["outlier_share"])
    if extra.get("decimals") not in (None, ""):
        kwargs["decimals"] = int(extra["decimals"])
    return MethodConfig(method=method, category=procedure_category(procedure_like), criteria=criteria,
                        procedure_method=str(getattr(procedure_like, "method", "")), **kwargs)
