from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from yangguang.core.errors import NotFound

from .models import Rule


def rule_get(code: str) -> Rule:
    try:
        return Rule.objects.get(pk=code)
    except Rule.DoesNotExist:
        raise NotFound(f"rule {code}") from None


def rule_param(code: str, key: str = "n") -> Any:
    """One structured parameter of a rule, e.g. ``rule_param("G-011")`` → 20 (its unit: ``rule_param("G-011",
    "unit")``). A missing parameter is a programming error, not user input."""
    params = rule_get(code).params
    if key not in params:
        raise KeyError(f"rule {code} has no parameter {key!r}")
    return params[key]


def rules_list(*, domain: str = "", status: str = "", q: str = "") -> QuerySet[Rule]:
    qs = Rule.objects.select_related("confirmed_by")
    if domain:
        qs = qs.filter(domain=domain)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(text__icontains=q) | qs.filter(code__iexact=q)
    return qs.order_by("code")
