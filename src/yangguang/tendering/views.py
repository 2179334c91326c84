"""Tendering workbenches: the purchaser/agency builds and publishes; the supplier joins, registers, downloads
and asks; the centre and supervisors follow everything in their region. No page shows who registered, or
how many, before the bid deadline (see access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yangguang.accounts.access import has_role, role_required
from yangguang.accounts.models import Organisation
from yangguang.accounts.states import Role
from yangguang.core.dbclock import db_now
from yangguang.core.errors import NotFound, ServiceError
from yangguang.core.eventlog import history
from yangguang.projects.access import projects_visible
from yangguang.projects.states import ProjectStatus

from . import selectors, services
from .access import OVERSEERS, procedure_holdable, procedure_manageable, registrations_readable
from .forms import ClarificationForm, DocumentForm, GuaranteeForm, ProcedureForm, ReasonForm, TextForm
from .models import BidSecurity, Hold, Lot, Procedure, TenderDocument
from .presets import PRESETS, EvaluationMethod
from .rule_texts import preset_rules
from .states import PROCEDURE_MOVES, RETENDER_FROM, SECRET_STATUSES, ProcedureStatus

BUYERS = (Role.PURCHASER, Role.AGENCY)
EVERYONE_BUT_EXPERTS = (*BUYERS, Role.SUPPLIER, *OVERSEERS)


def _procedure(request: HttpRequest, pk: int) -> Procedure:
    try:
        return selectors.procedure_for(request.user, pk)
    except NotFound:
        raise Http404 from None


@role_required(*EVERYONE_BUT_EXPERTS)
def procedure_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    procedures = selectors.procedures_for(request.user, status=status if status in ProcedureStatus.values else "")
    if has_role(request.user, Role.SUPPLIER):
        title = _("Procedures I can join")
    elif has_role(request.user, *BUYERS):
        title = _("My procedures")
    else:
        title = _("Procedures in my region")
    return render(request, "tendering/list.html", {
        "procedures": procedures.select_related("project")[:500], "title": title,
        "statuses": ProcedureStatus.choices, "status": status, "can_build": has_role(request.user, *BUYERS)})


def _buildable_projects(request: HttpRequest) -> Any:
    return projects_visible(request.user).filter(status=ProjectStatus.ACCEPTED)


@role_required(*BUYERS)
def procedure_build(request: HttpRequest) -> HttpResponse:
    initial = {"project": request.GET.get("project")} if request.GET.get("project") else None
    form = ProcedureForm(request.POST or None, projects=_buildable_projects(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_create(actor=request.user, project=form.cleaned_data["project"],
                                                  data=form.data_object())
        except ServiceError as error:
            form.add_error(_field(form, error), str(error.message))
        else:
            messages.success(request, _("The procedure was saved as a draft. Upload the documents, then publish."))
            return redirect("tendering:detail", pk=procedure.pk)
    return render(request, "tendering/build.html", {
        "form": form, "title": _("Build a procedure"),
        "methods": [(p, preset_rules(p), [EvaluationMethod.LABELS[m] for m in p.evaluation_methods])
                    for p in PRESETS.values()]})


@role_required(*BUYERS)
def procedure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    if not procedure_manageable(request.user, procedure) or procedure.status != ProcedureStatus.DRAFT:
        raise Http404
    lots = "\n".join(f"{lot.name} | {lot.budget} | {lot.ceiling_price or ''} | {lot.bid_security}"
                     for lot in procedure.lots.all())
    criteria = "\n".join(f"{c['name']} | {c['weight']} | {c['kind']}" for c in procedure.evaluation_criteria)
    initial = {"project": procedure.project_id, "title": procedure.title, "method": procedure.method,
               "evaluation_method": procedure.evaluation_method, "criteria": criteria, "lots": lots,
               "qualification_requirements": procedure.qualification_requirements,
               "description": procedure.description, "place": procedure.place,
               "document_days": procedure.document_days, "bid_days": procedure.bid_days,
               "accepts_consortium": procedure.accepts_consortium, **procedure.extra}
    form = ProcedureForm(request.POST or None, projects=_buildable_projects(request), initial=initial)
    form.fields["project"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_update(actor=request.user, procedure=procedure, data=form.data_object())
        except ServiceError as error:
            form.add_error(_field(form, error), str(error.message))
        else:
            messages.success(request, _("The procedure was saved."))
            return redirect("tendering:detail", pk=procedure.pk)
    return render(request, "tendering/build.html", {"form": form, "title": _("Change the procedure"),
                                                    "procedure": procedure})


def _field(form: Any, error: ServiceError) -> str | None:
    return error.field if error.field in form.fields else None


@role_required(*EVERYONE_BUT_EXPERTS)
def procedure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    user = request.user
    manageable = procedure_manageable(user, procedure)
    is_supplier = has_role(user, Role.SUPPLIER)
    now = db_now()
    open_for_bidders = (procedure.status == ProcedureStatus.PUBLISHED and not procedure.held
                        and procedure.effective_bid_deadline is not None and now < procedure.effective_bid_deadline)
    mine = list(selectors.my_registrations(user, procedure))
    registered_lots = {r.lot_id for r in mine}
    may_register = is_supplier and open_for_bidders and procedure.preset.strategy.may_register(
        procedure, user.organisation_id) and (  # type: ignore[union-attr]
        procedure.effective_documents_until is None or now < procedure.effective_documents_until)
    return render(request, "tendering/detail.html", {
        "procedure": procedure, "preset": procedure.preset, "lots": procedure.lots.all(),
        "documents": procedure.documents.all(), "clarifications": selectors.clarifications_of(procedure),
        "questions": selectors.questions_for(user, procedure), "manageable": manageable,
        "holdable": procedure_holdable(user, procedure), "is_supplier": is_supplier,
        "registered_lots": registered_lots, "may_register": may_register, "open_for_bidders": open_for_bidders,
        "my_securities": selectors.my_securities(user, procedure), "summary": selectors.registration_summary(
            user, procedure), "secret": procedure.status in SECRET_STATUSES,
        "open_holds": procedure.holds.filter(released_at__isnull=True),
        "invitations": procedure.invitations.select_related("organisation") if manageable else [],
        "steps": PROCEDURE_MOVES.allowed_steps(procedure.status), "retender": procedure.status in RETENDER_FROM,
        "evaluation_label": EvaluationMethod.LABELS.get(procedure.evaluation_method, procedure.evaluation_method),
        "events": history(procedure), "document_form": DocumentForm(), "clarification_form": ClarificationForm(),
        "question_form": TextForm(), "reason_form": ReasonForm(), "guarantee_form": GuaranteeForm(),
    })


def _step(request: HttpRequest, pk: int, action: Callable[[Procedure], Any], done: str) -> HttpResponse:
    procedure = _procedure(request, pk)
    try:
        result = action(procedure)
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, done)
        if isinstance(result, Procedure) and result.pk != procedure.pk:
            return redirect("tendering:detail", pk=result.pk)
    return redirect("tendering:detail", pk=pk)


@role_required(*BUYERS)
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("tendering:detail", pk=pk)
    return _step(request, pk, lambda p: services.document_upload(
        actor=request.user, procedure=p, upload=form.cleaned_data["file"],
        expected_sha256=form.cleaned_data.get("sha256") or None), _("The documents were uploaded."))


@role_required(*BUYERS)
@require_POST
def invitations_set(request: HttpRequest, pk: int) -> HttpResponse:
    codes = [c.strip().upper() for c in request.POST.get("credit_codes", "").replace(",", "\n").splitlines()
             if c.strip()]
    organisations = list(Organisation.objects.filter(credit_code__in=codes))
    if len(organisations) != len(set(codes)):
        messages.error(request, _("Some credit codes are not in the supplier pool."))
        return redirect("tendering:detail", pk=pk)
    return _step(request, pk, lambda p: services.invitations_set(actor=request.user, procedure=p,
                                                                 organisations=organisations),
                 _("The invited suppliers were saved."))


@role_required(*BUYERS)
@require_POST
def procedure_publish(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = _procedure(request, pk)
    try:
        _published, warnings = services.procedure_publish(actor=request.user, procedure=procedure)
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The procedure was published."))
        for warning in warnings:
            messages.warning(request, warning)
    return redirect("tendering:detail", pk=pk)


@role_required(*BUYERS)
@require_POST
def clarification_publish(request: HttpRequest, pk: int) -> HttpResponse:
    form = ClarificationForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Write the clarification."))
        return redirect("tendering:detail", pk=pk)
    answers = request.POST.getlist("answers")

    def act(procedure: Procedure) -> Any:
        clarification = services.clarification_publish(
            actor=request.user, procedure=procedure, text=form.cleaned_data["text"],
            affects_preparation=form.cleaned_data["affects_preparation"], upload=form.cleaned_data.get("file"),
            answers=list(procedure.questions.filter(pk__in=[a for a in answers if a.isdigit()])))
        if clarification.postponed_by_rule:
            messages.warning(request, _("The bid deadline was postponed by rule %(rule)s.")
                             % {"rule": clarification.postponed_by_rule})
        return clarification

    return _step(request, pk, act, _("The clarification was published and sent to every registered bidder."))


@role_required(*BUYERS)
@require_POST
def procedure_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda p: services.procedure_terminate(actor=request.user, procedure=p,
                                                                     reason=request.POST.get("reason", "")),
                 _("The procedure was terminated."))


@role_required(*BUYERS)
@require_POST
def procedure_failure_announce(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda p: services.procedure_failure_announce(actor=request.user, procedure=p),
                 _("The failed-tender notice was published."))


@role_required(*BUYERS)
@require_POST
def procedure_retender(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda p: services.procedure_retender(actor=request.user, procedure=p),
                 _("A re-tender was created as a new draft."))


@role_required(Role.CENTRE_STAFF, Role.PLATFORM_ADMIN)
@require_POST
def procedure_hold(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda p: services.procedure_hold(actor=request.user, procedure=p,
                                                                reason=request.POST.get("reason", "")),
                 _("The procedure is on hold: its deadlines do not advance it until released."))


@role_required(Role.CENTRE_STAFF, Role.PLATFORM_ADMIN)
@require_POST
def procedure_release(request: HttpRequest, pk: int, hold_pk: int) -> HttpResponse:
    hold = Hold.objects.filter(pk=hold_pk, procedure_id=pk).first()
    if hold is None:
        raise Http404
    return _step(request, pk, lambda p: services.procedure_release(actor=request.user, hold=hold),
                 _("The hold was released."))


def _lot(request: HttpRequest, lot_pk: int) -> Lot:
    lot = Lot.objects.filter(pk=lot_pk).first()
    if lot is None:
        raise Http404
    _procedure(request, lot.procedure_id)
    return lot


@role_required(Role.SUPPLIER)
@require_POST
def registration_create(request: HttpRequest, lot_pk: int) -> HttpResponse:
    lot = _lot(request, lot_pk)
    return _step(request, lot.procedure_id, lambda p: services.registration_create(actor=request.user, lot=lot),
                 _("You are registered for this lot. Download the documents below."))


@role_required(Role.SUPPLIER)
@require_POST
def security_guarantee(request: HttpRequest, lot_pk: int) -> HttpResponse:
    lot = _lot(request, lot_pk)
    form = GuaranteeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the guarantee number, issuer and amount."))
        return redirect("tendering:detail", pk=lot.procedure_id)
    return _step(request, lot.procedure_id, lambda p: services.security_guarantee_record(
        actor=request.user, lot=lot, **form.cleaned_data), _("The electronic guarantee was recorded."))


@role_required(Role.SUPPLIER)
@require_POST
def question_ask(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, lambda p: services.question_ask(actor=request.user, procedure=p,
                                                              text=request.POST.get("text", "")),
                 _("Your question was sent anonymously."))


@role_required(Role.SUPPLIER)
def document_download(request: HttpRequest, document_pk: int) -> HttpResponseBase:
    document = TenderDocument.objects.filter(pk=document_pk).first()
    if document is None:
        raise Http404
    _procedure(request, document.procedure_id)
    try:
        services.document_download(actor=request.user, document=document)
    except ServiceError as error:
        messages.error(request, str(error.message))
        return redirect("tendering:detail", pk=document.procedure_id)
    response = FileResponse(default_storage.open(document.path, "rb"), as_attachment=True, filename=document.name)
    response["X-Content-SHA256"] = document.sha256
    return response


@role_required(*BUYERS, Role.CENTRE_STAFF)
@require_POST
def security_refund(request: HttpRequest, security_pk: int) -> HttpResponse:
    security = BidSecurity.objects.select_related("lot").filter(pk=security_pk).first()
    if security is None:
        raise Http404
    procedure = _procedure(request, security.lot.procedure_id)
    if not registrations_readable(request.user, procedure):  # before the deadline a security does not exist
        raise Http404
    return _step(request, procedure.pk, lambda p: services.security_refund(
        actor=request.user, security=security, reference=request.POST.get("reference", "")),
        _("The refund was recorded."))


@login_required
def methods(request: HttpRequest) -> HttpResponse:
    return render(request, "tendering/methods.html", {
        "methods": [(p, preset_rules(p), [EvaluationMethod.LABELS[m] for m in p.evaluation_methods])
                    for p in PRESETS.values()]})
