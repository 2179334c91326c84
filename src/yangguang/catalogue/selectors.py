"""Reads of the trading catalogue, and the must-trade decision (应进必进)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from yangguang.accounts.models import Region

from .models import CatalogueItem, CatalogueType, CatalogueVersion
from .states import Category, VersionStatus


def version_in_force(region: Region) -> CatalogueVersion | None:
    """The version in force for a region: its own active version, else its parent's (county → city)."""
    current: Region | None = region
    while current is not None:
        found = CatalogueVersion.objects.filter(region=current, status=VersionStatus.ACTIVE).first()
        if found is not None:
            return found
        current = current.parent
    return None


@dataclass(frozen=True)
class MustTradeDecision:
    must_trade: bool
    reason: str
    item_code: str
    rule_code: str
    version: str


def must_trade_decide(*, item: CatalogueItem, funding_sources: dict[str, Decimal],
                      budget: Decimal) -> MustTradeDecision:
    """Does a project under ``item``, with these funding sources (source → amount in yuan) and this budget,
    have to be traded on the platform? Pure function of the catalogue item; rules G-001…G-003 and the
    procurement thresholds (P-001, P-002) set the item's sources and threshold."""
    version = str(item.type.version)
    in_scope_sources = set(item.funding_sources or [])
    used = {source for source, amount in funding_sources.items() if amount and amount > 0}
    if in_scope_sources and not (used & in_scope_sources):
        return MustTradeDecision(False, _("No funding source of this project is in the catalogue item's scope."),
                                 item.code, item.rule_code, version)
    if item.threshold is not None and budget < item.threshold:
        return MustTradeDecision(
            False,
            _("The budget %(budget)s yuan is below the item's threshold of %(threshold)s yuan.")
            % {"budget": f"{budget:,.2f}", "threshold": f"{item.threshold:,.2f}"},
            item.code, item.rule_code, version,
        )
    return MustTradeDecision(True, _("Catalogue item %(code)s %(name)s: must be traded on the platform.")
                             % {"code": item.code, "name": item.name}, item.code, item.rule_code, version)


def versions_listed(region: Region | None = None) -> list[CatalogueVersion]:
    """Every version, newest first within each region; the catalogue is public information."""
    qs = CatalogueVersion.objects.select_related("region")
    if region is not None:
        qs = qs.filter(region=region)
    return list(qs.order_by("region__code", "-number"))


@dataclass(frozen=True)
class CategoryBlock:
    category: str
    label: str
    types: list[CatalogueType]


def version_tree(version: CatalogueVersion) -> list[CategoryBlock]:
    """Categories (in the fixed order of Category) → types → items, for one version."""
    types = list(version.types.prefetch_related("items").order_by("position", "code"))
    blocks = []
    for category in Category:
        in_category = [t for t in types if t.category == category.value]
        if in_category:
            blocks.append(CategoryBlock(category.value, str(category.label), in_category))
    return blocks


def items_in_force(region: Region, query: str = "", limit: int = 200) -> list[CatalogueItem]:
    """Items of the version in force for a region, optionally matching ``query`` in code or name."""
    version = version_in_force(region)
    if version is None:
        return []
    qs = CatalogueItem.objects.filter(type__version=version).select_related("type", "type__version")
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(name__icontains=query) | Q(type__name__icontains=query))
    return list(qs.order_by("type__position", "position", "code")[:limit])
