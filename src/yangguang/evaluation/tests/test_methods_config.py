"""Legal ranges of a configuration and of a committee (rules.md §1.2 P-026/P-060/P-062, §3.1)."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.utils import translation

from yangguang.evaluation.methods import (
    CommitteeLimits,
    Criterion,
    Limits,
    MethodConfig,
    committee_findings,
    committee_problems,
    config_findings,
    config_problems,
    criteria_from_procedure,
    limits_from_rules,
)

GP_LIMITS = Limits(price_weight={"goods": ((D("0.30"), None), "P-026"), "services": ((D("0.10"), None), "P-026")},
                   sme_deduction=((D("0.10"), D("0.20")), "P-062"))
CONSULTATION = Limits(price_weight={"goods": ((D("0.30"), D("0.60")), "P-060")})


@pytest.fixture(autouse=True)
def _english():
    """The messages are asserted in English (Chinese is the default language)."""
    with translation.override("en"):
        yield


def cfg(price: int, category: str = "goods", **kw) -> MethodConfig:  # type: ignore[no-untyped-def]
    return MethodConfig("comprehensive_score", category, (Criterion("p", "价格", "price", D(price)),
                                                          Criterion("t", "技术", "technical", D(100 - price))), **kw)


def test_price_weight_ranges() -> None:
    assert config_problems(cfg(30), GP_LIMITS) == []
    low = config_findings(cfg(29), GP_LIMITS)
    assert [p.rule for p in low] == ["P-026"] and "29 %" in low[0].message and "30 %" in low[0].message
    assert config_problems(cfg(10, "services"), GP_LIMITS) == []
    assert [p.rule for p in config_findings(cfg(9, "services"), GP_LIMITS)] == ["P-026"]
    assert [p.rule for p in config_findings(cfg(61), CONSULTATION)] == ["P-060"]
    assert config_problems(cfg(60), CONSULTATION) == []
    # No limits given: only the structure is checked.
    assert config_problems(cfg(5)) == []


def test_structural_problems() -> None:
    bad = MethodConfig("comprehensive_score", "goods", (Criterion("p", "价格", "price", D(30)),
                                                         Criterion("t", "技术", "technical", D(60))))
    assert any("90" in m for m in config_problems(bad))
    assert config_problems(MethodConfig("nope", "goods", ())) == ["Unknown evaluation method 'nope'."]
    assert any("pass/fail" in m for m in config_problems(MethodConfig("lowest_price", "goods", (
        Criterion("q", "资格", "pass_fail", D(5)),), tie_break="none")))
    # A price method ignores scored criteria (they are not an error: the compliance review uses the list).
    assert config_problems(MethodConfig("lowest_price", "goods", (
        Criterion("t", "技术", "technical", D(10)),), tie_break="none")) == []
    assert [p.rule for p in config_findings(MethodConfig("lowest_price", "goods", ()))] == ["P-025"]
    works = MethodConfig("comprehensive_evaluation", "works", (Criterion("p", "报价", "price", D(100)),),
                         benchmark={"method": "B5"})
    assert config_problems(works) == ["Benchmark method B5 needs k_choices."]
    assert [p.rule for p in config_findings(MethodConfig(
        "comprehensive_score", "goods", cfg(30).criteria, benchmark={"method": "B4"}))] == ["P-027"]
    objective = MethodConfig("comprehensive_score", "goods", (
        Criterion("p", "价格", "price", D(30)),
        Criterion("o", "接近标底", "commercial", D(70), {"term": "标底偏差", "formula": "ratio"})))
    assert [p.rule for p in config_findings(objective)] == ["G-031"]


def test_sme_deduction_range() -> None:
    assert config_problems(cfg(30, sme_deduction=D("0.15")), GP_LIMITS) == []
    assert [p.rule for p in config_findings(cfg(30, sme_deduction=D("0.06")), GP_LIMITS)] == ["P-062"]
    assert config_problems(cfg(30, sme_deduction=D("1.5"))) != []


def test_committee() -> None:
    works = CommitteeLimits("G-026", 5, True, Fraction(2, 3))
    assert committee_problems(5, 4, 1, None, "works", limits=works) == []
    assert [p.rule for p in committee_findings(4, 3, 1, None, "works", limits=works)] == ["G-026", "G-026"]
    # 6 of 9 is exactly 2/3: allowed; 5 of 9 is not.
    assert committee_problems(9, 6, 3, None, "works", limits=works) == []
    assert len(committee_problems(9, 5, 4, None, "works", limits=works)) == 1
    gp = CommitteeLimits("P-021", 5, True, Fraction(2, 3), D(10000000), 7)
    assert committee_problems(5, 4, 1, D(9999999), "goods", limits=gp) == []
    assert "at least 7" in committee_problems(5, 4, 1, D(10000000), "goods", limits=gp)[0]
    assert "are not 5 members" in committee_problems(5, 3, 1, None, "goods", limits=gp)[0]


@pytest.mark.django_db
def test_limits_and_committee_from_the_rule_set() -> None:
    """Read from the shipped rule set: the committee numbers are there (G-026, P-021, P-050); a rule without a
    structured parameter leaves its bound unchecked and says so."""
    assert committee_problems(5, 4, 1, D(20000000), "goods")[0].startswith("The committee has 5 members")
    assert committee_problems(3, 2, 1, None, "goods", procedure_method="procurement_rfq") == []
    assert committee_problems(5, 3, 2, None, "works") != []
    limits = limits_from_rules("goods")
    (low, high), rule = limits.price_weight["goods"]
    assert rule == "P-026" and high is None
    from yangguang.rules.models import Rule

    if "goods_min" in Rule.objects.get(pk="P-026").params:
        assert low == D(str(Rule.objects.get(pk="P-026").params["goods_min"]))
    else:
        assert low is None and any("P-026" in n for n in limits.notes)
    assert limits_from_rules("services", "procurement_consultation").price_weight["services"][1] == "P-060"


def test_criteria_from_procedure() -> None:
    proc = SimpleNamespace(
        evaluation_method="comprehensive_score", method="procurement_open",
        project=SimpleNamespace(category="government_procurement"),
        evaluation_criteria=[{"name": "价格", "weight": "30", "kind": "price"},
                             {"name": "技术", "weight": "70", "kind": "technical"}],
        extra={"subject": "services", "sme_deduction": "0.1", "outlier_share": "0.25"})
    c = criteria_from_procedure(proc)
    assert c.category == "services" and c.sme_deduction == D("0.1") and c.outlier_share == D("0.25")
    assert [(x.code, x.kind, x.points) for x in c.criteria] == [("c1", "price", D(30)), ("c2", "technical", D(70))]
    works = SimpleNamespace(evaluation_method="lowest_price", method="x", project=SimpleNamespace(
        category="construction"), evaluation_criteria=[], extra={})
    c2 = criteria_from_procedure(works)
    assert c2.category == "works" and c2.tie_break == "none"


def test_structural_problems_and_method_errors_are_in_chinese_by_default() -> None:
    from yangguang.evaluation.methods import MethodError, evaluate
    from yangguang.evaluation.methods.types import BidInput

    with translation.override("zh-hans"):
        assert config_problems(MethodConfig("nope", "goods", ())) == ["未知的评标方法 'nope'。"]
        bad = MethodConfig("comprehensive_score", "goods", (Criterion("p", "价格", "price", D(30)),
                                                             Criterion("t", "技术", "technical", D(60))))
        assert "评审因素合计 90 分，而不是 100 分。" in config_problems(bad)
        with pytest.raises(MethodError) as failed:
            evaluate(cfg(30), [BidInput("b1", D(100), "large", True, {})], {"e1": {"b1": {"t": D(71)}}})
        assert failed.value.code == "score_out_of_range" and "超出 0–70" in failed.value.message
