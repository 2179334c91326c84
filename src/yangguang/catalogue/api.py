"""Public read API of the trading catalogue (the catalogue and the must-trade test are public)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from yangguang.accounts.models import Region
from yangguang.core.errors import ValidationFailed

from .models import CatalogueItem
from .selectors import items_in_force, must_trade_decide

router = Router(tags=["catalogue"])


class ItemOut(Schema):
    id: int
    code: str
    name: str
    category: str
    type_code: str
    type_name: str
    funding_sources: list[str]
    threshold: Decimal | None
    rule_code: str
    note: str
    version: str


class MustTradeOut(Schema):
    must_trade: bool
    reason: str
    item_code: str
    rule_code: str
    version: str


def _amount(text: str, field: str) -> Decimal:
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(_("“%(value)s” is not an amount in yuan.") % {"value": text}, code="invalid_amount",
                               field=field)
    return amount


def _funding(text: str) -> dict[str, Decimal]:
    """'budget:3000000,self_raised:500000' → {source: amount}."""
    sources: dict[str, Decimal] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        source, sep, amount = part.partition(":")
        if not sep or not source.strip():
            raise ValidationFailed(_("Write funding as source:amount pairs separated by commas."),
                                   code="invalid_funding", field="funding")
        sources[source.strip()] = sources.get(source.strip(), Decimal("0")) + _amount(amount, "funding")
    return sources


@router.get("/items", response=list[ItemOut], summary="Items of the catalogue version in force for a region")
def items(request: HttpRequest, region: str, q: str = "") -> list[ItemOut]:
    found = Region.objects.filter(code=region).first()
    if found is None:
        raise ValidationFailed(_("Unknown region code “%(code)s”.") % {"code": region}, code="unknown_region",
                               field="region")
    return [ItemOut(id=i.pk, code=i.code, name=i.name, category=i.type.category, type_code=i.type.code,
                    type_name=i.type.name, funding_sources=list(i.funding_sources or []), threshold=i.threshold,
                    rule_code=i.rule_code, note=i.note, version=str(i.type.version))
            for i in items_in_force(found, q.strip())]


@router.get("/must-trade", response=MustTradeOut, summary="Must a project under this item be traded on the platform?")
def must_trade(request: HttpRequest, item: int, budget: str, funding: str = "") -> MustTradeOut:
    found = CatalogueItem.objects.select_related("type__version").filter(pk=item).first()
    if found is None:
        raise ValidationFailed(_("Unknown catalogue item %(id)s.") % {"id": item}, code="unknown_item", field="item")
    decision = must_trade_decide(item=found, funding_sources=_funding(funding), budget=_amount(budget, "budget"))
    return MustTradeOut(must_trade=decision.must_trade, reason=decision.reason, item_code=decision.item_code,
                        rule_code=decision.rule_code, version=decision.version)
