from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yangguang.accounts.access import SUPERVISORY_ROLES, role_required
from yangguang.accounts.states import Role
from yangguang.catalogue.states import Category
from yangguang.core.errors import ServiceError
from yangguang.core.eventlog import history

from . import services
from .access import project_intake_allowed, project_manageable, project_visible, projects_visible
from .exemptions import exemption_live
from .forms import DocumentForm, ProjectForm, ReturnForm
from .models import Project
from .states import PROJECT_MOVES, ProjectStatus

BUYERS = (Role.PURCHASER, Role.AGENCY)
OVERSEERS = (*SUPERVISORY_ROLES, Role.PLATFORM_ADMIN, Role.CENTRE_STAFF)


def _visible_or_404(request: HttpRequest, pk: int) -> Project:
    project = get_object_or_404(Project.objects.select_related("owner", "agency", "region", "centre",
                                                               "catalogue_item"), pk=pk)
    if not project_visible(request.user, project):
        raise Http404
    return project


@role_required(*BUYERS)
def mine(request: HttpRequest) -> HttpResponse:
    projects = projects_visible(request.user).order_by("-created_at", "-pk")
    return render(request, "projects/list.html", {"projects": projects[:500], "title": _("My projects"),
                                                  "can_register": True})


@role_required(Role.CENTRE_STAFF)
def queue(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation  # type: ignore[union-attr]
    projects = projects_visible(request.user).filter(status=ProjectStatus.SUBMITTED)
    # The queue is what this centre must handle, not projects of its region handled elsewhere.
    projects = projects.filter(centre__region_id=organisation.region_id) if organisation else projects.none()
    projects = projects.order_by("submitted_at", "pk")
    return render(request, "projects/list.html", {"projects": projects[:500], "title": _("Intake queue")})


@role_required(*OVERSEERS)
def overview(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    projects = projects_visible(request.user)
    if status in ProjectStatus.values:
        projects = projects.filter(status=status)
    if category in Category.values:
        projects = projects.filter(category=category)
    return render(request, "projects/list.html", {
        "projects": projects.order_by("-created_at", "-pk")[:500], "title": _("Projects overview"),
        "filters": True, "statuses": ProjectStatus.choices, "categories": Category.choices,
        "status": status, "category": category,
    })


def _form_data(form: ProjectForm) -> services.ProjectData:
    data = form.cleaned_data
    return services.ProjectData(
        name=data["name"], category=data["category"], catalogue_item=data["catalogue_item"], region=data["region"],
        budget=data["budget"], fundings=form.fundings(),  # type: ignore[arg-type]
        responsible_leader=data["responsible_leader"], responsible_section=data["responsible_section"],
        responsible_person=data["responsible_person"], responsible_phone=data["responsible_phone"],
        description=data.get("description", ""),
    )


def _attach_error(form: ProjectForm, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    if error.field == "fundings":
        field = "funding_amount_0"
    form.add_error(field, str(error.message))


@role_required(*BUYERS)
def register(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, role=request.user.role)  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_register(
                actor=request.user, data=_form_data(form), owner=form.cleaned_data.get("owner"),
                agency=form.cleaned_data.get("agency"))
        except ServiceError as error:
            _attach_error(form, error)
        else:
            messages.success(request, _("The project was registered as a draft."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "title": _("Register a project")})


@role_required(*BUYERS)
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible_or_404(request, pk)
    if not project_manageable(request.user, project):
        raise Http404
    if not project.is_editable:
        messages.error(request, _("The project can be changed only while it is a draft or returned."))
        return redirect("projects:detail", pk=project.pk)
    initial: dict[str, Any] = {
        "owner": project.owner_id, "agency": project.agency_id, "name": project.name, "category": project.category,
        "region": project.region_id, "catalogue_item": project.catalogue_item_id, "budget": project.budget,
        "responsible_leader": project.responsible_leader, "responsible_section": project.responsible_section,
        "responsible_person": project.responsible_person, "responsible_phone": project.responsible_phone,
        "description": project.description,
    }
    for index, funding in enumerate(project.fundings.all()[:3]):
        initial[f"funding_source_{index}"] = funding.source
        initial[f"funding_amount_{index}"] = funding.amount
    form = ProjectForm(request.POST or None, initial=initial, role=request.user.role)  # type: ignore[union-attr]
    if "owner" in form.fields:
        form.fields["owner"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, data=_form_data(form),
                                    agency=form.cleaned_data.get("agency"))
        except ServiceError as error:
            _attach_error(form, error)
        else:
            messages.success(request, _("The project was saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"form": form, "title": _("Change the project"),
                                                  "project": project})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible_or_404(request, pk)
    manageable = project_manageable(request.user, project)
    steps = PROJECT_MOVES.allowed_steps(project.status)
    return render(request, "projects/detail.html", {
        "project": project, "fundings": project.fundings.all(), "documents": project.documents.all(),
        "events": history(project), "manageable": manageable,
        "intake": project_intake_allowed(request.user, project),
        "steps": steps, "document_form": DocumentForm(), "return_form": ReturnForm(),
        "can_attach": manageable and project.status in (*PROJECT_MOVES.moves["submit"][0], ProjectStatus.SUBMITTED),
        "exemption": exemption_live(project),
        "can_request_exemption": manageable and project.status == ProjectStatus.ACCEPTED and project.must_trade,
    })


def _step(request: HttpRequest, pk: int, action: Callable[[Project], Any], done: str) -> HttpResponse:
    project = _visible_or_404(request, pk)
    try:
        action(project)
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, done)
    return redirect("projects:detail", pk=pk)


@role_required(*BUYERS)
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda p: services.project_submit(actor=request.user, project=p),
                 _("The project was submitted to the trading centre."))


@role_required(*BUYERS)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda p: services.project_withdraw(actor=request.user, project=p),
                 _("The project was withdrawn."))


@role_required(Role.CENTRE_STAFF)
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda p: services.project_accept(actor=request.user, project=p),
                 _("The project was accepted."))


@role_required(Role.CENTRE_STAFF)
@require_POST
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _step(request, pk, lambda p: services.project_return(actor=request.user, project=p, reason=reason),
                 _("The project was returned to its owner."))


@role_required(*BUYERS)
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible_or_404(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("projects:detail", pk=pk)
    try:
        document = services.project_document_attach(
            actor=request.user, project=project, title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"], expected_sha256=form.cleaned_data["sha256"] or None)
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The document was stored. SHA-256: %(sha)s") % {"sha": document.sha256})
    return redirect("projects:detail", pk=pk)
