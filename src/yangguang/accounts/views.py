from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import unconfirmed_years_ahead

from .access import role_required
from .navigation import items_for
from .selectors import organisations_visible
from .states import Role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    warnings = []
    if user.role in (Role.PLATFORM_ADMIN, Role.CENTRE_STAFF):
        today = db_now().date()
        for year in unconfirmed_years_ahead(today):
            warnings.append(
                _("The %(year)s State Council holiday notice has not been entered: deadlines in %(year)s count "
                  "weekends only and are marked provisional.") % {"year": year}
            )
    items = [i for i in items_for(user.role) if i.url_name != "accounts:workbench"]
    return render(request, "accounts/workbench.html", {"items": items, "warnings": warnings})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@role_required(Role.PLATFORM_ADMIN, Role.CENTRE_STAFF, Role.COMMITTEE_OFFICE)
def organisations(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    qs = organisations_visible(request.user)
    if kind:
        qs = qs.filter(kind=kind)
    from .states import OrganisationKind

    return render(request, "accounts/organisations.html", {
        "organisations": qs.order_by("region__code", "kind", "name")[:500],
        "kinds": OrganisationKind.choices, "kind": kind,
    })
