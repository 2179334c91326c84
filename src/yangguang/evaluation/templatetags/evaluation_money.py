"""``{{ amount|yuan }}``: money with thousands separators and two decimals (4,300,000.00), whatever the
language; blank stays blank and text that is not a number is shown as it is."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    return f"{number:,.2f}"
