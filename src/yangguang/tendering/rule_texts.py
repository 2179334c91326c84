"""The legal minimums of a method preset, as data for the method list (API and the build page)."""

from __future__ import annotations

from typing import Any

from yangguang.rules.selectors import rule_get

from .presets import MethodPreset, RuleRef

ROLES = ("bid_period", "document_period", "notice_period", "clarification", "min_bidders", "min_invitees",
         "security_cap", "objection_window", "complaint_window")


def _describe(ref: RuleRef) -> dict[str, Any]:
    rule = rule_get(ref.code)
    params = rule.params
    return {"code": rule.code, "n": params.get(ref.key), "unit": params.get(ref.unit_key), "source": rule.source,
            "blocking": rule.blocking}


def preset_rules(preset: MethodPreset) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for role in ROLES:
        ref = getattr(preset, role)
        if ref is not None:
            found[role] = _describe(ref)
    return found
