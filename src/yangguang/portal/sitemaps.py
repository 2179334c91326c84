"""The sitemap: the portal's fixed pages and every notice (50,000 per sitemap file)."""

from __future__ import annotations

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from yangguang.notices.models import Notice


class PagesSitemap(Sitemap):
    changefreq = "hourly"

    def items(self) -> list[str]:
        return ["portal:home", "portal:notices"]

    def location(self, item: str) -> str:  # type: ignore[override]
        return reverse(item)


class NoticeSitemap(Sitemap):
    changefreq = "weekly"
    limit = 50_000

    def items(self) -> QuerySet[Notice]:
        return Notice.objects.only("pk", "published_at", "withdrawn_at").order_by("pk")

    def lastmod(self, item: Notice) -> dt.datetime:
        return item.withdrawn_at or item.published_at


SITEMAPS: dict[str, type[Sitemap] | Sitemap] = {"pages": PagesSitemap, "notices": NoticeSitemap}
