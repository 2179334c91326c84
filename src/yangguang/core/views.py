from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from yangguang.accounts.access import role_required
from yangguang.accounts.states import Role

from . import eventlog
from .dbclock import db_now
from .deadlines import unconfirmed_years_ahead
from .forms import CalendarYearForm
from .models import CalendarDay, CalendarYear
from .selectors import database_ok, head_as_dict
from .services import calendar_year_enter


@never_cache
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the interface language with a plain link or GET form: ``?language=en&next=/path``.

    GET rather than Django's POST-only ``set_language`` so public pages carry no CSRF token and can be
    cached whole; the only effect is the visitor's own language cookie (the POST view stays available)."""
    language = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = redirect(target)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            samesite="Lax", secure=request.is_secure())
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    ok = database_ok()
    return JsonResponse({"status": "ok" if ok else "degraded", "database": ok}, status=200 if ok else 503)


def log_page(request: HttpRequest) -> HttpResponse:
    """The public page: latest signed head and how to verify it."""
    return render(request, "core/log.html", {"head": head_as_dict(eventlog.head()), "size": eventlog.log_size()})


@role_required(Role.PLATFORM_ADMIN)
def calendar_page(request: HttpRequest) -> HttpResponse:
    """Administrators enter each year's State Council holiday notice; years without one are listed."""
    form = CalendarYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        calendar_year_enter(actor=request.user, year=data["year"], holidays=data["holiday_days"],
                            workdays=data["workday_days"], source=data["source"])
        messages.success(request, _("The holidays of %(year)s have been entered.") % {"year": data["year"]})
        return redirect("core:calendar")
    today = db_now().date()
    return render(request, "core/calendar.html", {
        "form": form,
        "years": CalendarYear.objects.order_by("-year")[:6],
        "missing": unconfirmed_years_ahead(today),
        "upcoming": CalendarDay.objects.filter(date__gte=today).order_by("date")[:40],
    })
