from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import eventlog
from .selectors import database_ok, head_as_dict


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    ok = database_ok()
    return JsonResponse({"status": "ok" if ok else "degraded", "database": ok}, status=200 if ok else 503)


def log_page(request: HttpRequest) -> HttpResponse:
    """The public page: latest signed head and how to verify it."""
    return render(request, "core/log.html", {"head": head_as_dict(eventlog.head()), "size": eventlog.log_size()})
