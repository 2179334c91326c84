"""Publisher pages: publish any notice type with attachments, correct, withdraw. Reading is on the portal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yangguang.accounts.access import has_role, role_required
from yangguang.accounts.states import Role
from yangguang.core.errors import ServiceError
from yangguang.projects.access import projects_visible
from yangguang.projects.states import ProjectStatus

from . import services
from .access import PUBLISHER_ROLES, notice_manageable, notices_managed
from .forms import CorrectionForm, NoticeForm, TypeChoiceForm, WithdrawForm
from .models import Notice
from .registry import type_spec
from .selectors import notice_get
from .states import NOTICE_MOVES, NoticeType


def _projects(user: Any) -> Any:
    return projects_visible(user).filter(status=ProjectStatus.ACCEPTED).order_by("-accepted_at", "-pk")


@role_required(*PUBLISHER_ROLES)
def mine(request: HttpRequest) -> HttpResponse:
    notices = notices_managed(request.user).order_by("-pk")[:200]
    return render(request, "notices/mine.html", {"notices": notices, "withdraw_form": WithdrawForm()})


@role_required(*PUBLISHER_ROLES)
def publish(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    type_form = TypeChoiceForm(request.GET or None)
    spec = type_spec(request.GET.get("type", "")) if type_form.is_valid() else None
    if spec is None or spec.code == NoticeType.CORRECTION:
        return render(request, "notices/publish.html", {"type_form": TypeChoiceForm(), "form": None})
    choose_region = has_role(user, Role.PLATFORM_ADMIN)
    form = NoticeForm(request.POST or None, request.FILES or None, spec=spec, projects=_projects(user),
                      choose_region=choose_region)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project = data.get("project")
        region = data.get("region") if choose_region else None
        if region is None:
            region = project.centre.region if project is not None else (
                user.organisation.region if user.organisation_id else None)
        if region is None:
            form.add_error("region" if choose_region else "project", _("Choose the region or a project."))
        else:
            try:
                notice = services.notice_publish(
                    actor=user, notice_type=spec.code, region=region, title=data["title"],
                    body_html=data.get("body_html", ""), fields=form.notice_fields(), project=project,
                    category=data.get("category") or None, attachments=request.FILES.getlist("attachments"),
                    publicity_days=data.get("publicity_days"))
            except ServiceError as error:
                form.add_error(form.error_field(error.field), str(error.message))
            else:
                messages.success(request, _("The notice %(code)s was published.") % {"code": notice.code})
                return redirect(notice.get_absolute_url())
    return render(request, "notices/publish.html", {"type_form": type_form, "form": form, "spec": spec})


def _manageable_or_404(request: HttpRequest, pk: int) -> Notice:
    notice = notice_get(pk)
    if notice is None or not notice_manageable(request.user, notice):
        raise Http404
    return notice


@role_required(*PUBLISHER_ROLES)
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    original = _manageable_or_404(request, pk)
    if "correct" not in NOTICE_MOVES.allowed_steps(original.status):
        messages.error(request, _("A withdrawn notice cannot be corrected."))
        return redirect("notices:mine")
    form = CorrectionForm(request.POST or None, request.FILES or None,
                          initial={"title": _("Correction: %(title)s") % {"title": original.title}})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            correction = services.notice_correct(
                actor=request.user, original=original, title=data["title"], body_html=data.get("body_html", ""),
                fields={"changes": data["changes"], "new_deadline": data.get("new_deadline", "")},
                reason=data["reason"], attachments=request.FILES.getlist("attachments"))
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The correction %(code)s was published.") % {"code": correction.code})
            return redirect(correction.get_absolute_url())
    return render(request, "notices/correct.html", {"form": form, "original": original})


@role_required(*PUBLISHER_ROLES)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _manageable_or_404(request, pk)
    try:
        services.notice_withdraw(actor=request.user, notice=notice, reason=request.POST.get("reason", ""))
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The notice was withdrawn; it stays public with a withdrawn banner."))
    return redirect("notices:mine")
