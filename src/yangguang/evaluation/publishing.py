"""The evaluation configuration checked when tendering publishes a procedure (registered in ``apps.ready``)."""

from __future__ import annotations

from typing import Any

from yangguang.rules.services import RuleFinding, rule_check

from .methods import config_findings, criteria_from_procedure, limits_from_rules


def evaluation_config_checks(procedure: Any) -> list[RuleFinding | None]:
    """The evaluation configuration against its legal ranges (price weight P-026/P-060, SME deduction P-062,
    标底 G-031 …) through the methods library: a breached verified rule refuses, an unconfirmed one warns."""
    config = criteria_from_procedure(procedure)
    limits = limits_from_rules(config.category, procedure.method)
    return [rule_check(problem.rule, passed=False, message=problem.message, field=problem.field)
            for problem in config_findings(config, limits) if problem.rule]
