from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from .access import visible_region_ids
from .models import Centre, Organisation, Region


def organisations_visible(user: Any) -> QuerySet[Organisation]:
    qs = Organisation.objects.select_related("region").annotate(member_count=Count("members"))
    regions = visible_region_ids(user)
    return qs if regions is None else qs.filter(region_id__in=regions)


def region_tree() -> list[Region]:
    return list(Region.objects.select_related("parent").order_by("code"))


def centres_active() -> QuerySet[Centre]:
    return Centre.objects.filter(is_active=True).select_related("region")
