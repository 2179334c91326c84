"""The public site. It reads other apps only through their selectors.

Fragments that list notices are cached under the notices revision (one primary-key read per request, see
``notices.models.NoticeRevision``): a publish, withdrawal or publicity close in any process changes the
revision, so every process renders fresh lists on its next request and nothing needs purging.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from yangguang.accounts.models import Region
from yangguang.accounts.selectors import centres_active
from yangguang.catalogue.states import Category
from yangguang.core import eventlog
from yangguang.core.dbclock import db_now
from yangguang.core.errors import ValidationFailed
from yangguang.notices.selectors import (
    notice_corrections,
    notice_get,
    notice_query_parse,
    notice_search,
    notices_latest,
    notices_revision,
)
from yangguang.notices.states import NoticeType

from .sitemaps import SITEMAPS

PAGE_CACHE_SECONDS = 60


def public_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Whole-page cache for visitors who are not signed in: the key holds the language, the notices
    revision (one primary-key read; any publish, withdrawal or publicity close in any process changes it)
    and the full path. A page that used a CSRF token or set a cookie is never stored. The log-head line of
    the home page may lag the latest checkpoint by up to PAGE_CACHE_SECONDS (the only part of these pages not
    covered by the revision)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A session or a flash message belongs to one visitor: such requests are neither served from nor
        # stored in the cache.
        if (request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES
                or "messages" in request.COOKIES or request.user.is_authenticated):
            return view(request, *args, **kwargs)
        key = f"portal:page:{get_language()}:{notices_revision()}:{request.get_full_path()}"
        hit = cache.get(key)
        if hit is not None:
            return HttpResponse(hit, content_type="text/html; charset=utf-8")
        response = view(request, *args, **kwargs)
        if (response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False)
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")):
            cache.set(key, response.content, PAGE_CACHE_SECONDS)
        return response

    return wrapper


HOME_PER_CATEGORY = 6
HOME_PER_CENTRE = 5


def _home_sections() -> dict[str, Any]:
    categories = [{"value": value, "label": label, "notices": notices_latest(category=value, limit=HOME_PER_CATEGORY)}
                  for value, label in Category.choices]
    centres = [{"centre": c, "notices": notices_latest(region_ids=[c.region_id], limit=HOME_PER_CENTRE)}
               for c in centres_active()]
    return {"categories": categories, "centres": centres}


@public_page_cache
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {
        "revision": notices_revision(),
        "sections": _home_sections,  # a callable: only evaluated when the cached fragment is missing
        "head": eventlog.head(),
    })


def _params(request: HttpRequest) -> dict[str, Any]:
    get = request.GET
    page_text = get.get("page", "1") or "1"
    return {"q": get.get("q", ""), "type": get.get("type", ""), "category": get.get("category", ""),
            "region": get.get("region", ""), "date_from": get.get("date_from", ""),
            "date_to": get.get("date_to", ""), "page": int(page_text) if page_text.isdigit() else 0}


def _centre_regions() -> list[Region]:
    return list(Region.objects.filter(centre__is_active=True).order_by("code"))


@public_page_cache
def notice_list(request: HttpRequest) -> HttpResponse:
    params = _params(request)
    error = None
    try:
        query = notice_query_parse(**params)
    except ValidationFailed as failed:
        error, query = failed, None
    base = {k: v for k, v in params.items() if v and k != "page"}
    context = {
        "params": params, "error": error, "revision": notices_revision(),
        "cache_key": "&".join(f"{k}={v}" for k, v in sorted(params.items())),
        "result": (lambda: notice_search(query)) if query else None,
        "categories": Category.choices, "types": NoticeType.choices,
        "regions": _centre_regions,
        "base_query": "&".join(f"{k}={v}" for k, v in base.items()),
        "feed_category": params["category"] if params["category"] in Category.values else "",
    }
    return render(request, "portal/notice_list.html", context, status=422 if error else 200)


@public_page_cache
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notice_get(pk)
    if notice is None:
        raise Http404
    now = db_now()
    return render(request, "portal/notice_detail.html", {
        "notice": notice, "corrections": notice_corrections(notice), "attachments": notice.attachments.all(),
        "publicity_open": bool(notice.publicity_closes_at and notice.publicity_closed_at is None
                              and notice.publicity_closes_at > now and not notice.is_withdrawn),
    })


def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    notice = notice_get(pk)
    found = next((a for a in notice.attachments.all() if a.pk == attachment_id), None) if notice else None
    if found is None or not default_storage.exists(found.path):
        raise Http404
    # Always a download, never rendered in the browser: an uploaded HTML or SVG file cannot run script here.
    response = FileResponse(default_storage.open(found.path, "rb"), as_attachment=True, filename=found.name,
                            content_type="application/octet-stream")
    response["X-Checksum-SHA256"] = found.sha256
    return response


def sitemap_index(request: HttpRequest) -> HttpResponse:
    return sitemap_views.index(request, SITEMAPS, template_name="portal/sitemap_index.xml",
                               sitemap_url_name="portal:sitemap_section")


def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    if section not in SITEMAPS:
        raise Http404(_("No such sitemap."))
    return sitemap_views.sitemap(request, SITEMAPS, section=section, template_name="portal/sitemap.xml")


def feed_links() -> list[tuple[str, str, str]]:
    return [(str(label), reverse("portal:feed_rss", args=[value]), reverse("portal:feed_atom", args=[value]))
            for value, label in Category.choices]
