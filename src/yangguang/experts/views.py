"""Pages of the expert pool and the draws. Rules live in services and access; a view collects input and
shows the outcome. No view shows a drawn expert before the release (``access.draw_names_visible``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yangguang.accounts.access import forbidden, has_role, role_required
from yangguang.accounts.states import Role
from yangguang.core.errors import ServiceError, ValidationFailed
from yangguang.projects.access import project_visible
from yangguang.projects.models import Project

from . import selectors, services
from .access import (
    DRAW_OPERATORS,
    DRAW_READERS,
    POOL_MANAGERS,
    POOL_READERS,
    RATERS,
    RELEASERS,
    draw_names_visible,
    draw_operable,
    draw_releasable_by,
    draw_request_visible,
)
from .forms import (
    ApplicationForm,
    AttendanceForm,
    DrawRequestForm,
    ImportForm,
    RatingForm,
    ReasonForm,
    RespondForm,
    SanctionForm,
)
from .models import Draw, DrawRequest, DrawSlot, Expert
from .spreadsheet import pool_export_xlsx, rows_from_xlsx
from .states import EXPERT_TRANSITIONS, DrawStatus, ExpertStatus, Recusal


def specialties(request: HttpRequest) -> HttpResponse:
    return render(request, "experts/specialties.html", {"tree": selectors.specialties_tree()})


def apply(request: HttpRequest) -> HttpResponse:
    """Online application: anyone (creating an expert account) or a signed-in expert without a record."""
    user = request.user
    if user.is_authenticated and not has_role(user, Role.EXPERT):
        return forbidden(request, _("Sign out first: an application creates its own expert account."))
    if user.is_authenticated and Expert.objects.filter(user=user).exists():
        return redirect("experts:mine")
    with_account = not user.is_authenticated
    form = ApplicationForm(request.POST or None, with_account=with_account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.expert_apply(
                actor=user, data=services.ExpertData(
                    name=data["name"], id_number=data["id_number"], title_level=data["title_level"],
                    title_name=data["title_name"], years_in_field=data["years_in_field"],
                    employer_name=data["employer_name"], employer_credit_code=data["employer_credit_code"],
                    region=data["region"], phone=data["phone"], email=data["email"],
                    specialty_codes=[s.code for s in data["specialties"]]),
                username=data.get("username", ""), password=data.get("password", ""))
        except ValidationFailed as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Your application was submitted. The trading centre will review it."))
            return redirect("experts:mine" if user.is_authenticated else "accounts:login")
    return render(request, "experts/apply.html", {"form": form}, status=422 if form.errors else 200)


@role_required(Role.EXPERT)
def mine(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    expert = Expert.objects.filter(user=user).select_related("region").first()
    context: dict = {"expert": expert, "invitations": selectors.invitations_of(request.user)[:50],
                     "respond_form": RespondForm()}
    if expert is not None:
        context.update(services_list=selectors.services_public(expert)[:100],
                       specialties=expert.specialties.order_by("code"), trainings=expert.trainings.all()[:50])
    return render(request, "experts/mine.html", context)


@require_POST
@role_required(Role.EXPERT)
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    slot = DrawSlot.objects.filter(pk=pk, expert__user=user).first()
    if slot is None:
        raise Http404
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or decline."))
        return redirect("experts:mine")
    try:
        services.invitation_respond(actor=request.user, slot=slot, accept=form.cleaned_data["answer"] == "accept",
                                    reason=form.cleaned_data.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your answer was recorded."))
    return redirect("experts:mine")


@role_required(*POOL_READERS)
def pool(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    specialty = request.GET.get("specialty", "").strip()
    region = request.GET.get("region", "").strip()
    status = request.GET.get("status", "")
    status = status if status in ExpertStatus.values else ""
    qs = selectors.experts_search(request.user, query=query, specialty=specialty, region=region, status=status)
    searched = bool(query or specialty or region or status)
    return render(request, "experts/pool.html", {
        "experts": qs[:200], "total": qs.count() if searched else 0, "searched": searched, "query": query,
        "specialty": specialty, "region": region, "status": status, "statuses": ExpertStatus.choices,
        "summary": selectors.pool_summary(), "pending": selectors.applications_pending()[:100],
        "can_manage": has_role(request.user, *POOL_MANAGERS), "tree": selectors.specialties_tree(),
    })


@role_required(*POOL_READERS)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    expert = get_object_or_404(Expert.objects.select_related("region"), pk=pk)
    manage = has_role(request.user, *POOL_MANAGERS)
    return render(request, "experts/detail.html", {
        "expert": expert, "specialties": expert.specialties.order_by("code"),
        "employments": expert.employments.all(), "conflicts": expert.conflicts.all(),
        "unavailable": expert.unavailable.all(), "trainings": expert.trainings.all(),
        "services_list": selectors.services_public(expert)[:200], "ratings": selectors.ratings_public(expert)[:200],
        "can_manage": manage,
        "steps": EXPERT_TRANSITIONS.allowed_steps(expert.status) if manage else [],
        "reason_form": ReasonForm(), "sanction_form": SanctionForm(),
    })


_REVIEW_DONE = {
    "approve": gettext_lazy("The expert was admitted to the pool."),
    "reject": gettext_lazy("The application was rejected."),
    "reinstate": gettext_lazy("The expert was reinstated."),
}


@require_POST
@role_required(*POOL_MANAGERS)
def review(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    expert = get_object_or_404(Expert, pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if step == "approve":
            services.expert_approve(actor=request.user, expert=expert)
        elif step == "reject":
            services.expert_reject(actor=request.user, expert=expert, reason=reason)
        elif step == "reinstate":
            services.expert_reinstate(actor=request.user, expert=expert, reason=reason)
        else:
            raise Http404
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, str(_REVIEW_DONE[step]))
    return redirect("experts:detail", pk=expert.pk)


@require_POST
@role_required(*POOL_MANAGERS)
def sanction(request: HttpRequest, pk: int) -> HttpResponse:
    expert = get_object_or_404(Expert, pk=pk)
    form = SanctionForm(request.POST)
    if form.is_valid():
        try:
            services.expert_sanction(actor=request.user, expert=expert, kind=form.cleaned_data["kind"],
                                     reason=form.cleaned_data["reason"], until=form.cleaned_data["until"])
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The measure was recorded."))
    else:
        messages.error(request, _("Choose the measure and give the reason."))
    return redirect("experts:detail", pk=expert.pk)


@role_required(*POOL_MANAGERS)
def pool_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            rows, unreadable = rows_from_xlsx(form.cleaned_data["file"])
            added = services.experts_import(actor=request.user, rows=rows, errors=unreadable)
        except services.ImportRefused as exc:
            row_errors = exc.errors
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(count)d experts were added to the pool.") % {"count": len(added)})
            return redirect("experts:pool")
    status = 422 if request.method == "POST" and (row_errors or form.errors) else 200
    return render(request, "experts/import.html", {"form": form, "row_errors": row_errors}, status=status)


@role_required(*POOL_MANAGERS)
def pool_export(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    experts = Expert.objects.all()
    if status in ExpertStatus.values:
        experts = experts.filter(status=status)
    response = HttpResponse(pool_export_xlsx(experts),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="experts.xlsx"'
    return response


# --- Draws --------------------------------------------------------------------------------------


@role_required(*DRAW_READERS)
def draws(request: HttpRequest) -> HttpResponse:
    return render(request, "experts/draws.html", {
        "requests": selectors.draw_requests_visible(request.user)[:200],
        "can_create": has_role(request.user, *DRAW_OPERATORS)})


@role_required(*DRAW_OPERATORS)
def draw_new(request: HttpRequest) -> HttpResponse:
    form = DrawRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project = Project.objects.filter(pk=data["project"]).select_related("region", "centre").first()
        if project is None or not project_visible(request.user, project):
            form.add_error("project", _("No such project among yours."))
        else:
            try:
                created = services.draw_request_create(
                    actor=request.user, project=project, purchaser_credit_code=data["purchaser_credit_code"],
                    agency_credit_code=data["agency_credit_code"], bidder_credit_codes=data["bidder_credit_codes"],
                    quotas=data["quotas"], backups=data["backups"], region_scope=data["region_scope"],
                    evaluation_at=data["evaluation_at"], served_window_days=data["served_window_days"],
                    venue=data["venue"])
            except ValidationFailed as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The draw request was recorded."))
                return redirect("experts:draw_detail", pk=created.pk)
    return render(request, "experts/draw_new.html", {"form": form}, status=422 if form.errors else 200)


def _visible_request(request: HttpRequest, pk: int) -> DrawRequest:
    found = get_object_or_404(DrawRequest.objects.select_related("project__region", "project__centre"), pk=pk)
    if not draw_request_visible(request.user, found):
        raise Http404
    return found


@role_required(*DRAW_READERS)
def draw_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw_request = _visible_request(request, pk)
    draw = Draw.objects.filter(request=draw_request).first()
    names = draw_names_visible(request.user, draw)
    slots = list(DrawSlot.objects.filter(draw=draw).select_related("expert", "specialty")) if names else []
    return render(request, "experts/draw_detail.html", {
        "req": draw_request, "draw": draw, "quotas": draw_request.quotas.select_related("specialty"),
        "states": selectors.slot_state_counts(draw.pk) if draw else [], "names": names, "slots": slots,
        "exclusion_labels": {r.value: r.label for r in Recusal},
        "can_run": draw_operable(request.user, draw_request) and draw_request.status == DrawStatus.REQUESTED,
        "can_release": draw is not None and draw_request.status == DrawStatus.DRAWN
        and draw_releasable_by(request.user, draw_request),
        "can_publish": draw_operable(request.user, draw_request) and draw_request.status == DrawStatus.RELEASED,
        "can_record": names and draw_operable(request.user, draw_request),
        "can_rate": names and has_role(request.user, *RATERS),
        "consents": draw.releases.count() if draw else 0,
        "attendance_form": AttendanceForm(), "rating_form": RatingForm(),
    })


@require_POST
@role_required(*DRAW_OPERATORS)
def draw_run(request: HttpRequest, pk: int) -> HttpResponse:
    draw_request = _visible_request(request, pk)
    if not draw_operable(request.user, draw_request):
        return forbidden(request)
    try:
        services.draw_run(actor=request.user, request=draw_request)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The experts were drawn and the primaries invited. The list stays sealed."))
    return redirect("experts:draw_detail", pk=draw_request.pk)


@require_POST
@role_required(*RELEASERS)
def draw_release(request: HttpRequest, pk: int) -> HttpResponse:
    draw_request = _visible_request(request, pk)
    draw = Draw.objects.filter(request=draw_request).first()
    if draw is None:
        messages.error(request, _("Nothing has been drawn yet."))
        return redirect("experts:draw_detail", pk=draw_request.pk)
    try:
        services.draw_release(actor=request.user, draw=draw)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your consent was recorded."))
    return redirect("experts:draw_detail", pk=draw_request.pk)


@require_POST
@role_required(*DRAW_OPERATORS)
def draw_publish(request: HttpRequest, pk: int) -> HttpResponse:
    draw_request = _visible_request(request, pk)
    draw = Draw.objects.filter(request=draw_request).first()
    if draw is None or not draw_operable(request.user, draw_request):
        return forbidden(request)
    try:
        services.draw_publish_audit(actor=request.user, draw=draw)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The audit package was published."))
    return redirect("experts:draw_detail", pk=draw_request.pk)


def _released_slot(request: HttpRequest, pk: int, slot_pk: int) -> DrawSlot:
    draw_request = _visible_request(request, pk)
    slot = get_object_or_404(DrawSlot.objects.select_related("draw"), pk=slot_pk, draw__request=draw_request)
    if not draw_names_visible(request.user, slot.draw):
        raise Http404
    return slot


@require_POST
@role_required(*DRAW_OPERATORS)
def attendance(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    slot = _released_slot(request, pk, slot_pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_record(actor=request.user, slot=slot, attended=form.cleaned_data["attended"] == "yes")
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Attendance was recorded."))
    return redirect("experts:draw_detail", pk=pk)


@require_POST
@role_required(*RATERS)
def rate(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    slot = _released_slot(request, pk, slot_pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.expert_rate(actor=request.user, slot=slot, score=form.cleaned_data["score"],
                                 comment=form.cleaned_data["comment"])
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The rating was recorded."))
    else:
        messages.error(request, _("The score must be from 1 to 5."))
    return redirect("experts:draw_detail", pk=pk)


# --- Public audit ------------------------------------------------------------------------------


def audits(request: HttpRequest) -> HttpResponse:
    published = (Draw.objects.filter(published_at__isnull=False).select_related("request__project")
                 .order_by("-published_at")[:200])
    return render(request, "experts/audits.html", {"draws": published})


def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_object_or_404(Draw.objects.select_related("request__project"), pk=pk, published_at__isnull=False)
    return render(request, "experts/audit_detail.html", {"draw": draw})


def audit_package(request: HttpRequest, pk: int) -> HttpResponse:
    draw = get_object_or_404(Draw, pk=pk, published_at__isnull=False)
    response = HttpResponse(draw.audit_package.encode(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="expert-draw-{draw.pk}.json"'
    return response
