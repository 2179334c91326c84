"""RSS 2.0 and Atom feeds of the latest notices, one per trading category."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from yangguang.catalogue.states import Category
from yangguang.notices.models import Notice
from yangguang.notices.selectors import notices_latest

FEED_SIZE = 50


class NoticeRssFeed(Feed):
    def get_object(self, request: HttpRequest, category: str) -> str:  # type: ignore[override]
        if category not in Category.values:
            raise Http404
        return category

    def title(self, obj: str) -> str:
        return _("Notices: %(category)s") % {"category": Category(obj).label}

    def link(self, obj: str) -> str:
        return reverse("portal:notices") + f"?category={obj}"

    def description(self, obj: str) -> str:
        return _("The latest notices of the %(category)s category on the Yangguang portal.") % {
            "category": Category(obj).label}

    def items(self, obj: str) -> list[Notice]:
        return notices_latest(category=obj, limit=FEED_SIZE)

    def item_title(self, item: Notice) -> str:
        prefix = f"[{_('Withdrawn')}] " if item.is_withdrawn else ""
        return f"{prefix}{item.title}"

    def item_description(self, item: Notice) -> str:
        return f"{item.get_type_display()} · {item.region.name} · {item.code}. {strip_tags(item.body_html)[:300]}"

    def item_pubdate(self, item: Notice) -> dt.datetime:
        return item.published_at

    def item_guid(self, item: Notice) -> str:
        return item.code

    item_guid_is_permalink = False


class NoticeAtomFeed(NoticeRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: str) -> str:
        return self.description(obj)
