"""Pages of must-trade enforcement: exemption requests and approvals, post-trade reports and bulletins,
investigations, violations, project-list imports and the finance workbench's funding check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yangguang.accounts.access import SUPERVISORY_ROLES, has_role, role_required
from yangguang.accounts.models import Organisation
from yangguang.accounts.states import OrganisationKind, Role
from yangguang.core.errors import ServiceError
from yangguang.core.eventlog import history

from . import exemptions as ex_services
from . import investigations as inv_services
from . import reports as report_services
from . import violations as violation_services
from .access import project_manageable, project_visible
from .forms import DocumentForm
from .funding import funding_check
from .imports import project_list_import, rows_from_file
from .models import Bulletin, ExemptionRequest, FundingCheck, Investigation, Project, ProjectListImport, TradeReport
from .musttrade_access import (
    CASE_ROLES,
    FUNDING_ROLES,
    IMPORT_ROLES,
    case_visible,
    exemption_decidable,
    exemption_publishable,
    exemption_visible,
    exemptions_visible,
    investigations_visible,
    violations_visible,
)
from .musttrade_forms import (
    AssignForm,
    BulletinForm,
    CloseForm,
    DecisionForm,
    ExemptionForm,
    FindingsForm,
    FundingForm,
    ImportForm,
    ReportForm,
    TradeDateForm,
)
from .musttrade_states import STEP_OF_STATUS, ExemptionStatus, ReportStatus, ViolationStatus
from .states import ProjectStatus

BUYERS = (Role.PURCHASER, Role.AGENCY)
EXEMPTION_READERS = (*BUYERS, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES)
REPORT_READERS = (Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES)


def _exemption_or_404(request: HttpRequest, pk: int) -> ExemptionRequest:
    exemption = get_object_or_404(ExemptionRequest.objects.select_related(
        "project", "project__owner", "project__region", "project__centre", "project__centre__region",
        "project__catalogue_item", "department"), pk=pk)
    if not exemption_visible(request.user, exemption):
        raise Http404
    return exemption


def _done(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    try:
        action()
    except ServiceError as error:
        messages.error(request, str(error.message))
        return False
    messages.success(request, success)
    return True


# --- exemptions -----------------------------------------------------------------------------------


@role_required(*EXEMPTION_READERS)
def exemption_list(request: HttpRequest) -> HttpResponse:
    qs = exemptions_visible(request.user)
    status = request.GET.get("status", "")
    if status in ExemptionStatus.values:
        qs = qs.filter(status=status)
    waiting = [e for e in qs.filter(status__in=list(STEP_OF_STATUS))[:200]
               if exemption_decidable(request.user, e, STEP_OF_STATUS[ExemptionStatus(e.status)])]
    eligible: list[Project] = []
    if has_role(request.user, *BUYERS):
        from .access import projects_visible

        live = [*STEP_OF_STATUS, ExemptionStatus.APPROVED]
        eligible = list(projects_visible(request.user).filter(status=ProjectStatus.ACCEPTED, must_trade=True)
                        .exclude(exemption_requests__status__in=live).order_by("-accepted_at")[:50])
    return render(request, "projects/musttrade/exemption_list.html", {
        "exemptions": qs.order_by("-requested_at", "-pk")[:500], "waiting": waiting, "eligible": eligible,
        "statuses": ExemptionStatus.choices, "status": status,
        "reminders": report_services.reminders_for(request.user)})


@role_required(*BUYERS)
def exemption_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(Project.objects.select_related("region", "centre"), pk=pk)
    if not project_visible(request.user, project) or not project_manageable(request.user, project):
        raise Http404
    form = ExemptionForm(request.POST or None, departments=ex_services.departments_for(project))
    if request.method == "POST" and form.is_valid():
        try:
            exemption = ex_services.exemption_request(actor=request.user, project=project, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            messages.success(request, _("The request was sent to the competent department for its section review."))
            return redirect("projects:exemption", pk=exemption.pk)
    return render(request, "projects/musttrade/exemption_form.html", {"form": form, "project": project})


@login_required
def exemption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = _exemption_or_404(request, pk)
    user = request.user
    step = STEP_OF_STATUS.get(ExemptionStatus(exemption.status))
    manageable = project_manageable(user, exemption.project)
    report = TradeReport.objects.filter(exemption=exemption).first()
    return render(request, "projects/musttrade/exemption_detail.html", {
        "exemption": exemption, "project": exemption.project, "decisions": exemption.decisions.select_related(
            "decided_by"), "documents": exemption.documents.all(), "events": history(exemption),
        "step": step, "can_decide": step is not None and exemption_decidable(user, exemption, step),
        "decision_form": DecisionForm(), "manageable": manageable,
        "can_attach": manageable and step is not None, "document_form": DocumentForm(),
        "can_publish": exemption_publishable(user, exemption) and not exemption.notice_pk,
        "can_record_trade": manageable and exemption.status == ExemptionStatus.APPROVED and not exemption.trade_date,
        "trade_form": TradeDateForm(), "report": report,
        "can_report": manageable and exemption.status == ExemptionStatus.APPROVED and report is None,
        "overdue": exemption.overdue_at is not None and report is None,
    })


@role_required(Role.DEPARTMENT_SUPERVISOR, Role.COMMITTEE_OFFICE)
@require_POST
def exemption_decide(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = _exemption_or_404(request, pk)
    approve = request.POST.get("decision") == "approve"
    opinion = request.POST.get("opinion", "")
    try:
        decided = ex_services.exemption_decide(actor=request.user, exemption=exemption, approve=approve,
                                               opinion=opinion)
    except ServiceError as error:
        messages.error(request, str(error.message))
    else:
        if decided.status == ExemptionStatus.APPROVED:
            messages.success(request, _("The exemption was approved: exemption ID %(code)s.") % {"code": decided.code})
        else:
            messages.success(request, _("Approved: the request moves to the next step.") if approve
                             else _("The request was rejected."))
    return redirect("projects:exemption", pk=pk)


@role_required(*BUYERS)
@require_POST
def exemption_document(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = _exemption_or_404(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("projects:exemption", pk=pk)
    _done(request, lambda: ex_services.exemption_document_attach(
        actor=request.user, exemption=exemption, title=form.cleaned_data["title"], upload=form.cleaned_data["file"],
        expected_sha256=form.cleaned_data["sha256"] or None), _("The document was stored."))
    return redirect("projects:exemption", pk=pk)


@role_required(Role.CENTRE_STAFF, Role.PLATFORM_ADMIN)
@require_POST
def exemption_publish(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = _exemption_or_404(request, pk)
    _done(request, lambda: ex_services.exemption_publish(actor=request.user, exemption=exemption),
          _("The exemption was published on the portal."))
    return redirect("projects:exemption", pk=pk)


@role_required(*BUYERS)
@require_POST
def exemption_trade(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = _exemption_or_404(request, pk)
    form = TradeDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the trade date."))
    else:
        _done(request, lambda: ex_services.exemption_trade_record(
            actor=request.user, exemption=exemption, trade_date=form.cleaned_data["trade_date"]),
            _("The trade date was recorded; the post-trade report is due within 20 days."))
    return redirect("projects:exemption", pk=pk)


@role_required(*BUYERS)
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    exemption = _exemption_or_404(request, pk)
    if not project_manageable(request.user, exemption.project):
        raise Http404
    form = ReportForm(request.POST or None, initial={"trade_date": exemption.trade_date})
    if request.method == "POST" and form.is_valid():
        try:
            report = report_services.report_submit(
                actor=request.user, exemption=exemption, contracts=form.contracts(),
                summary=form.cleaned_data["summary"], trade_date=form.cleaned_data.get("trade_date"))
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            if report.on_time:
                messages.success(request, _("The trade result was reported on time."))
            else:
                messages.warning(request, _("The trade result was reported after the deadline; this is recorded "
                                            "as a violation."))
            return redirect("projects:exemption", pk=pk)
    return render(request, "projects/musttrade/report_form.html", {"form": form, "exemption": exemption})


# --- reports and bulletins -------------------------------------------------------------------------


@role_required(*REPORT_READERS)
def report_list(request: HttpRequest) -> HttpResponse:
    visible = exemptions_visible(request.user).values_list("pk", flat=True)
    reports = (TradeReport.objects.select_related("exemption", "exemption__project", "bulletin")
               .filter(exemption_id__in=visible).order_by("-submitted_at"))
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        reports = reports.filter(status=status)
    rows = [{"report": r, "can_review": has_role(request.user, Role.COMMITTEE_OFFICE)
             and r.status == ReportStatus.SUBMITTED,
             "can_publish": report_services.report_publishable(request.user, r),
             "can_archive": has_role(request.user, Role.COMMITTEE_OFFICE) and r.status == ReportStatus.PUBLISHED
             and r.bulletin_id is not None} for r in reports[:500]]
    return render(request, "projects/musttrade/report_list.html", {
        "rows": rows, "statuses": ReportStatus.choices, "status": status})


def _report_or_404(request: HttpRequest, pk: int) -> TradeReport:
    report = get_object_or_404(TradeReport.objects.select_related(
        "exemption", "exemption__project", "exemption__project__centre__region", "exemption__project__region"),
        pk=pk)
    if not exemption_visible(request.user, report.exemption):
        raise Http404
    return report


@role_required(Role.COMMITTEE_OFFICE)
@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    _done(request, lambda: report_services.report_review(actor=request.user, report=report,
                                                         opinion=request.POST.get("opinion", "")),
          _("The report was reviewed; the centre can publish it."))
    return redirect("projects:reports")


@role_required(Role.CENTRE_STAFF, Role.PLATFORM_ADMIN)
@require_POST
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    _done(request, lambda: report_services.report_publish(actor=request.user, report=report),
          _("The report was published on the portal."))
    return redirect("projects:reports")


@role_required(Role.COMMITTEE_OFFICE)
@require_POST
def report_archive(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    _done(request, lambda: report_services.report_archive(actor=request.user, report=report),
          _("The report was archived."))
    return redirect("projects:reports")


@role_required(Role.COMMITTEE_OFFICE, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES)
def bulletins(request: HttpRequest) -> HttpResponse:
    form = BulletinForm(request.POST or None)
    if request.method == "POST":
        if not has_role(request.user, Role.COMMITTEE_OFFICE):
            return redirect("projects:bulletins")
        if form.is_valid():
            try:
                bulletin = report_services.bulletin_generate(actor=request.user, **form.cleaned_data)
            except ServiceError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Bulletin %(code)s was generated.") % {"code": bulletin.code})
                return redirect("projects:bulletins")
    return render(request, "projects/musttrade/bulletins.html", {
        "bulletins": Bulletin.objects.order_by("-pk")[:200], "form": form,
        "can_generate": has_role(request.user, Role.COMMITTEE_OFFICE)})


@role_required(Role.COMMITTEE_OFFICE, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES)
def bulletin_download(request: HttpRequest, pk: int) -> FileResponse:
    bulletin = get_object_or_404(Bulletin, pk=pk)
    return FileResponse(default_storage.open(bulletin.path, "rb"), as_attachment=True,
                        filename=f"{bulletin.code}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- investigations and violations -----------------------------------------------------------------


@role_required(*CASE_ROLES)
def investigation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/musttrade/investigation_list.html", {
        "cases": investigations_visible(request.user).order_by("-opened_at")[:500]})


def _case_or_404(request: HttpRequest, pk: int) -> Investigation:
    case = get_object_or_404(Investigation.objects.select_related("project", "project__region", "report"), pk=pk)
    if not case_visible(request.user, case):
        raise Http404
    return case


@role_required(*CASE_ROLES)
def investigation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    committee = has_role(request.user, Role.COMMITTEE_OFFICE)
    return render(request, "projects/musttrade/investigation_detail.html", {
        "case": case, "events": history(case), "assignees": case.assignees.all(), "committee": committee,
        "may_record": inv_services.investigation_may_record(request.user, case),
        "assign_form": AssignForm(initial={"assignees": list(case.assignees.all())}),
        "findings_form": FindingsForm(initial={"findings": case.findings}), "close_form": CloseForm()})


@role_required(*CASE_ROLES)
@require_POST
def investigation_act(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    action = request.POST.get("action", "")
    if action == "assign":
        form: Any = AssignForm(request.POST)
        if form.is_valid():
            _done(request, lambda: inv_services.investigation_assign(
                actor=request.user, case=case, assignees=list(form.cleaned_data["assignees"])),
                _("The case was assigned."))
        else:
            messages.error(request, _("Choose at least one assignee."))
    elif action == "findings":
        _done(request, lambda: inv_services.investigation_findings(
            actor=request.user, case=case, findings=request.POST.get("findings", "")), _("The findings were saved."))
    elif action == "close":
        _done(request, lambda: inv_services.investigation_close(
            actor=request.user, case=case, outcome=request.POST.get("outcome", "")), _("The case was closed."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("projects:investigation", pk=pk)


@role_required(*CASE_ROLES)
def violation_list(request: HttpRequest) -> HttpResponse:
    qs = violations_visible(request.user)
    status = request.GET.get("status", "")
    if status in ViolationStatus.values:
        qs = qs.filter(status=status)
    return render(request, "projects/musttrade/violation_list.html", {
        "violations": qs.order_by("-detected_at", "-pk")[:500], "statuses": ViolationStatus.choices,
        "status": status})


def _violation_or_404(request: HttpRequest, pk: int) -> Any:
    violation = get_object_or_404(violations_visible(request.user), pk=pk)
    return violation


@role_required(*CASE_ROLES)
def violation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    violation = _violation_or_404(request, pk)
    return render(request, "projects/musttrade/violation_detail.html", {
        "violation": violation, "evidence": violation_services.evidence_events(violation),
        "history": history(violation),
        "can_refer": has_role(request.user, Role.COMMITTEE_OFFICE) and violation.status == ViolationStatus.SUSPECTED,
        "can_close": has_role(request.user, Role.DISCIPLINE_INSPECTION)
        and violation.status == ViolationStatus.REFERRED})


@role_required(Role.COMMITTEE_OFFICE, Role.DISCIPLINE_INSPECTION)
@require_POST
def violation_act(request: HttpRequest, pk: int) -> HttpResponse:
    violation = _violation_or_404(request, pk)
    action = request.POST.get("action", "")
    text = request.POST.get("outcome", "")
    steps: dict[str, tuple[Callable[[], Any], str]] = {
        "refer": (lambda: violation_services.violation_refer(actor=request.user, violation=violation),
                  _("The record was referred to discipline inspection.")),
        "dismiss": (lambda: violation_services.violation_dismiss(actor=request.user, violation=violation,
                                                                 reason=text), _("The record was dismissed.")),
        "close": (lambda: violation_services.violation_close(actor=request.user, violation=violation, outcome=text),
                  _("The outcome was recorded and the referral closed.")),
    }
    if action in steps:
        _done(request, *steps[action])
    else:
        messages.error(request, _("Unknown action."))
    return redirect("projects:violation", pk=pk)


# --- project-list imports --------------------------------------------------------------------------


def _import_departments(user: Any) -> Any:
    departments = Organisation.objects.filter(kind=OrganisationKind.DEPARTMENT).order_by("name")
    if has_role(user, Role.DEPARTMENT_SUPERVISOR):
        return departments.filter(pk=user.organisation_id)
    return departments


@role_required(*IMPORT_ROLES)
def imports(request: HttpRequest) -> HttpResponse:
    departments = _import_departments(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, departments=departments,
                      initial={"department": departments.first()})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            rows = rows_from_file(upload.name, data)
            batch = project_list_import(actor=request.user, department=form.cleaned_data["department"], rows=rows,
                                        source="upload", file_name=upload.name, data=data)
        except ServiceError as error:
            form.add_error("file", str(error.message))
        else:
            messages.success(request, _("%(rows)s rows imported; %(unmatched)s suspected violations.")
                             % {"rows": batch.rows, "unmatched": batch.unmatched})
            return redirect("projects:import", pk=batch.pk)
    batches = ProjectListImport.objects.select_related("department").order_by("-pk")
    if has_role(request.user, Role.DEPARTMENT_SUPERVISOR):
        batches = batches.filter(department_id=request.user.organisation_id)  # type: ignore[union-attr]
    return render(request, "projects/musttrade/imports.html", {"form": form, "batches": batches[:200]})


@role_required(*IMPORT_ROLES)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ProjectListImport.objects.select_related("department"), pk=pk)
    if has_role(request.user, Role.DEPARTMENT_SUPERVISOR) and batch.department_id != request.user.organisation_id:  # type: ignore[union-attr]
        raise Http404
    return render(request, "projects/musttrade/import_detail.html", {
        "batch": batch, "entries": batch.entries.select_related("project", "region").order_by("line")})


# --- the finance workbench ---------------------------------------------------------------------------


@role_required(*FUNDING_ROLES)
def funding_page(request: HttpRequest) -> HttpResponse:
    form = FundingForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        result = funding_check(code=form.cleaned_data["project"], user=request.user)
    recent = FundingCheck.objects.order_by("-pk")
    if has_role(request.user, Role.FINANCE):
        recent = recent.filter(organisation_id=getattr(request.user, "organisation_id", 0) or 0)
    return render(request, "projects/musttrade/funding.html", {"form": form, "result": result,
                                                               "recent": recent[:20]})
