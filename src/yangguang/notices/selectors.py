"""Reads of notices for the portal and the API: search with filters, latest lists, one notice.

Order: newest first, i.e. descending id (ids rise with the database publish time, see Notice.Meta).
Counts are exact up to :data:`COUNT_CAP`. Beyond it, ``count_is_estimate`` is True and the count is, on
SQLite, the cap itself (a lower bound: "more than 10,000") and, on PostgreSQL, the planner's estimate from
the column and lexeme statistics ("about 121,000"): counting every match of a very common term over a
million notices costs more than the search itself (PostgreSQL must visit every matching heap page), and no
reader pages that far.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yangguang.accounts.models import Region
from yangguang.catalogue.states import Category
from yangguang.core.deadlines import SHANGHAI
from yangguang.core.errors import ValidationFailed

from . import search
from .models import Notice, NoticeRevision
from .states import NoticeType

PAGE_SIZE = 20
COUNT_CAP = 10_000
MAX_PAGE = COUNT_CAP // PAGE_SIZE


@dataclass
class NoticeQuery:
    q: str = ""
    type: str = ""
    category: str = ""
    region: Region | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1


@dataclass
class SearchResult:
    count: int
    count_is_estimate: bool  # True: ``count`` is a lower bound (SQLite) or the planner's estimate (PostgreSQL)
    page: int
    items: list[Notice] = field(default_factory=list)

    @property
    def count_is_lower_bound(self) -> bool:
        return self.count_is_estimate and self.count == COUNT_CAP

    @property
    def pages(self) -> int:
        return max(1, min(MAX_PAGE, (self.count + PAGE_SIZE - 1) // PAGE_SIZE))


def _id_bounds(query: NoticeQuery) -> tuple[int | None, int | None]:
    """A date range as an id range (ids rise with publish time), through the published_at index."""
    low = high = None
    if query.date_from:
        start = dt.datetime.combine(query.date_from, dt.time(0, 0), tzinfo=SHANGHAI)
        low = Notice.objects.filter(published_at__gte=start).order_by("published_at").values_list(
            "pk", flat=True).first()
        if low is None:
            return 0, -1  # nothing published since
    if query.date_to:
        end = dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time(0, 0), tzinfo=SHANGHAI)
        high = Notice.objects.filter(published_at__lt=end).order_by("-published_at").values_list(
            "pk", flat=True).first()
        if high is None:
            return 0, -1
    return low, high


def _filter_tokens(query: NoticeQuery) -> list[str]:
    tokens = []
    if query.type:
        tokens.append(search.type_token(query.type))
    if query.category:
        tokens.append(search.category_token(query.category))
    if query.region is not None:
        tokens.append(search.region_token(query.region.code))
    return tokens


def _text_search_ids(tokens: list[str], low: int | None, high: int | None, offset: int
                     ) -> tuple[list[int], int, bool]:
    """(ids of the page, count capped at COUNT_CAP, capped?) from the full-text index."""
    bounds, params = "", list[Any]()
    if connection.vendor == "sqlite":
        where = "notices_search_fts MATCH %s"
        params = [search.fts5_match(tokens)]
        if low is not None:
            bounds += " AND rowid >= %s"
            params.append(low)
        if high is not None:
            bounds += " AND rowid <= %s"
            params.append(high)
        page_sql = (f"SELECT rowid FROM notices_search_fts WHERE {where}{bounds} "  # noqa: S608
                    "ORDER BY rowid DESC LIMIT %s OFFSET %s")
        count_sql = f"SELECT count(*) FROM (SELECT rowid FROM notices_search_fts WHERE {where}{bounds} LIMIT %s)"  # noqa: S608
    elif connection.vendor == "postgresql":
        where = "search_vector @@ %s::tsquery"
        params = [search.tsquery(tokens)]
        if low is not None:
            bounds += " AND notice_id >= %s"
            params.append(low)
        if high is not None:
            bounds += " AND notice_id <= %s"
            params.append(high)
        page_sql = (f"SELECT notice_id FROM notices_noticesearch WHERE {where}{bounds} "  # noqa: S608
                    "ORDER BY notice_id DESC LIMIT %s OFFSET %s")
        count_sql = (f"SELECT count(*) FROM (SELECT 1 FROM notices_noticesearch WHERE {where}{bounds} "  # noqa: S608
                     "LIMIT %s) s")
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(page_sql, [*params, PAGE_SIZE, offset])
        ids = [row[0] for row in cursor.fetchall()]
    if offset == 0 and len(ids) < PAGE_SIZE:
        return ids, len(ids), False  # the whole result is on the first page: no count query
    if connection.vendor == "postgresql":
        # Counting a common term exactly reads every matching heap page (GIN cannot count by itself):
        # beyond the cap, the planner's estimate from the lexeme statistics is reported as an estimate.
        estimate = _pg_estimate(f"SELECT 1 FROM notices_noticesearch WHERE {where}{bounds}", params)  # noqa: S608
        if estimate > COUNT_CAP:
            return ids, estimate, True
    with connection.cursor() as cursor:
        cursor.execute(count_sql, [*params, COUNT_CAP + 1])
        total = cursor.fetchone()[0]
    return ids, min(total, COUNT_CAP), total > COUNT_CAP


def _pg_estimate(sql: str, params: list[Any]) -> int:
    """The planner's row estimate for a query (column statistics, about a millisecond, nothing executed)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _browse_ids(query: NoticeQuery, low: int | None, high: int | None, offset: int
                ) -> tuple[list[int], int, bool]:
    """No search text: the btree indexes, newest first (on SQLite only without filters, see notice_search)."""
    notices: QuerySet[Notice] = Notice.objects.all()
    if query.type:
        notices = notices.filter(type=query.type)
    if query.category:
        notices = notices.filter(category=query.category)
    if query.region is not None:
        notices = notices.filter(region_id__in=query.region.descendant_ids())
    if low is not None:
        notices = notices.filter(pk__gte=low)
    if high is not None:
        notices = notices.filter(pk__lte=high)
    ids = list(notices.order_by("-pk").values_list("pk", flat=True)[offset:offset + PAGE_SIZE])
    if offset == 0 and len(ids) < PAGE_SIZE:
        return ids, len(ids), False
    if connection.vendor == "postgresql":
        sql, sql_params = notices.order_by().values("pk").query.sql_with_params()
        estimate = _pg_estimate(sql, list(sql_params))
        if estimate > COUNT_CAP:
            return ids, estimate, True
    total = notices.order_by()[:COUNT_CAP + 1].count()
    return ids, min(total, COUNT_CAP), total > COUNT_CAP


def notice_search(query: NoticeQuery) -> SearchResult:
    """One page of notices matching the query text and filters (a region includes its counties)."""
    page = max(1, min(query.page, MAX_PAGE))
    offset = (page - 1) * PAGE_SIZE
    low, high = _id_bounds(query)
    if low is not None and high is not None and low > high:
        return SearchResult(0, False, page)
    # Text goes to the full-text index, with the filters as tokens of the search document. On SQLite filters
    # alone go there too: FTS5 intersects them without reading table rows, so capped counts stay cheap.
    text_tokens = search.query_tokens(query.q)
    filters = _filter_tokens(query)
    if text_tokens or (filters and connection.vendor == "sqlite"):
        ids, count, capped = _text_search_ids([*text_tokens, *filters], low, high, offset)
    else:
        # PostgreSQL answers filter-only lists from the btree indexes (category, type, region by id).
        ids, count, capped = _browse_ids(query, low, high, offset)
    rows = {n.pk: n for n in Notice.objects.filter(pk__in=ids).select_related("region")}
    return SearchResult(count, capped, page, [rows[i] for i in ids if i in rows])


def notices_latest(*, category: str = "", region_ids: list[int] | None = None, limit: int = 8) -> list[Notice]:
    notices = Notice.objects.select_related("region")
    if category:
        notices = notices.filter(category=category)
    if region_ids is not None:
        notices = notices.filter(region_id__in=region_ids)
    return list(notices.order_by("-pk")[:limit])


def notice_get(pk: int) -> Notice | None:
    return (Notice.objects.select_related("region", "project", "corrects").prefetch_related("attachments")
            .filter(pk=pk).first())


def notice_corrections(notice: Notice) -> list[Notice]:
    return list(notice.corrections.order_by("pk"))


def notice_as_item(notice: Notice) -> dict[str, Any]:
    return {"id": notice.pk, "code": notice.code, "type": notice.type, "title": notice.title,
            "category": notice.category, "region": notice.region.code, "status": notice.status,
            "published_at": notice.published_at, "url": notice.get_absolute_url()}


_REVISION_SQL = f"SELECT number FROM {NoticeRevision._meta.db_table} WHERE id = 1"  # noqa: S608


def notices_revision() -> int:
    """The number that portal caches are keyed on; it rises with every change the portal shows. Read on
    every portal request, so one primary-key lookup in plain SQL (the ORM would cost more than the read)."""
    with connection.cursor() as cursor:
        cursor.execute(_REVISION_SQL)
        row = cursor.fetchone()
    return row[0] if row else 0


def region_by_code(code: str, field: str = "region") -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed(_("Unknown region code."), code="unknown_region", field=field)
    return region


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Enter a date like 2026-03-31."), code="invalid_date", field=field) from None


def notice_query_parse(*, q: str = "", type: str = "", category: str = "", region: str = "",
                      date_from: str = "", date_to: str = "", page: int = 1) -> NoticeQuery:
    """Check the public search parameters (shared by the API and the portal)."""
    if len(q) > 100:
        raise ValidationFailed(_("The search text is longer than 100 characters."), code="query_too_long",
                               field="q")
    if type and type not in NoticeType.values:
        raise ValidationFailed(_("Unknown notice type."), code="invalid_type", field="type")
    if category and category not in Category.values:
        raise ValidationFailed(_("Choose one of the five trading categories."), code="invalid_category",
                               field="category")
    if page < 1 or page > MAX_PAGE:
        raise ValidationFailed(_("The page must be between 1 and %(max)s.") % {"max": MAX_PAGE},
                               code="invalid_page", field="page")
    return NoticeQuery(q=q.strip(), type=type, category=category, region=region_by_code(region) if region else None,
                       date_from=_date(date_from, "date_from"), date_to=_date(date_to, "date_to"), page=page)
