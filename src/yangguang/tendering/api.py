"""Tendering over JSON: the same service functions as the web pages.

Nothing here returns who registered, downloaded, asked or paid a security, nor how many, before the bid
deadline: the detail endpoint shows a supplier its own registrations only, and the per-lot summary appears
only when :func:`.access.registrations_readable` allows it (after the deadline).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from yangguang.accounts.access import api_require
from yangguang.accounts.models import Organisation
from yangguang.accounts.states import Role
from yangguang.core.errors import NotFound, ValidationFailed
from yangguang.projects.access import project_visible
from yangguang.projects.models import Project

from . import selectors, services
from .access import OVERSEERS, procedure_manageable
from .models import Hold, Lot, Procedure, Question, TenderDocument
from .presets import PRESETS, EvaluationMethod
from .rule_texts import preset_rules

router = Router(tags=["tendering"])

BUYERS = (Role.PURCHASER, Role.AGENCY)
READERS = (*BUYERS, Role.SUPPLIER, *OVERSEERS)


class LotIn(Schema):
    name: str
    budget: Decimal
    ceiling_price: Decimal | None = None
    bid_security: Decimal = Decimal(0)


class CriterionIn(Schema):
    name: str
    weight: Decimal
    kind: str = "technical"


class ProcedureIn(Schema):
    project_id: int
    title: str
    method: str
    qualification_requirements: str
    evaluation_method: str
    evaluation_criteria: list[CriterionIn] = []
    lots: list[LotIn]
    document_days: int | None = None
    bid_days: int | None = None
    description: str = ""
    place: str = ""
    accepts_consortium: bool = False
    single_source_reason: str = ""
    expert_opinion: str = ""


class InvitationsIn(Schema):
    organisation_ids: list[int]


class TextIn(Schema):
    text: str


class ReasonIn(Schema):
    reason: str


class ClarificationIn(Schema):
    text: str
    affects_preparation: bool = False
    bid_deadline: dt.datetime | None = None
    answers: list[int] = []


class GuaranteeIn(Schema):
    guarantee_number: str
    issuer: str
    amount: Decimal


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _out(request: HttpRequest, procedure: Procedure, warnings: list[str] | None = None) -> dict[str, Any]:
    user = request.user
    data: dict[str, Any] = {
        "id": procedure.pk, "code": procedure.code, "title": procedure.title, "method": procedure.method,
        "status": procedure.status, "project_id": procedure.project_id, "held": procedure.held,
        "qualification_requirements": procedure.qualification_requirements,
        "evaluation_method": procedure.evaluation_method, "evaluation_criteria": procedure.evaluation_criteria,
        "document_days": procedure.document_days, "bid_days": procedure.bid_days, "sandbox": procedure.sandbox,
        "timeline": {
            "documents_from": _iso(procedure.time_origin), "notice_until": _iso(procedure.notice_until),
            "documents_until": _iso(procedure.documents_until), "bid_deadline": _iso(procedure.bid_deadline),
            "opening_at": _iso(procedure.bid_deadline),
            "effective_bid_deadline": _iso(procedure.effective_bid_deadline),
        },
        "lots": [{"id": lot.pk, "number": lot.number, "name": lot.name, "budget": str(lot.budget),
                  "ceiling_price": str(lot.ceiling_price) if lot.ceiling_price is not None else None,
                  "bid_security": str(lot.bid_security), "status": lot.status} for lot in procedure.lots.all()],
        "documents": [{"id": d.pk, "version": d.version, "name": d.name, "sha256": d.sha256, "size": d.size}
                      for d in procedure.documents.all()],
        "clarifications": [{"number": c.number, "text": c.text, "affects_preparation": c.affects_preparation,
                            "new_bid_deadline": _iso(c.new_bid_deadline), "postponed_by_rule": c.postponed_by_rule,
                            "notice_id": c.notice_id, "published_at": _iso(c.published_at)}
                           for c in selectors.clarifications_of(procedure)],
        "questions": [{"id": q["question"].pk, "text": q["question"].text, "mine": q["mine"],
                       "answered_by": q["question"].answer.number if q["question"].answer_id else None}
                      for q in selectors.questions_for(user, procedure)],
        "my_registrations": [{"lot_id": r.lot_id, "registered_at": _iso(r.registered_at)}
                             for r in selectors.my_registrations(user, procedure)],
        "notice_id": procedure.notice_id, "failure_ground": procedure.failure_ground,
        "retender_of": procedure.retender_of_id, "warnings": warnings if warnings is not None else procedure.warnings,
    }
    summary = selectors.registration_summary(user, procedure)
    if summary is not None:
        data["registration_summary"] = [{
            "lot_id": row["lot"].pk, "registrations": row["registrations"],
            "securities": [{"amount": str(s.amount), "kind": s.kind, "same_account_flag": s.same_account_flag,
                            "refunded": s.refunded_at is not None} for s in row["securities"]],
        } for row in summary]
    return data


def _procedure(request: HttpRequest, pk: int) -> Procedure:
    return selectors.procedure_for(request.user, pk)


def _data(payload: ProcedureIn) -> services.ProcedureData:
    return services.ProcedureData(
        title=payload.title, method=payload.method, qualification_requirements=payload.qualification_requirements,
        evaluation_method=payload.evaluation_method,
        evaluation_criteria=[c.dict() for c in payload.evaluation_criteria],
        lots=[services.LotData(lot.name, lot.budget, lot.ceiling_price, lot.bid_security) for lot in payload.lots],
        document_days=payload.document_days, bid_days=payload.bid_days, description=payload.description,
        place=payload.place, accepts_consortium=payload.accepts_consortium,
        extra={"single_source_reason": payload.single_source_reason, "expert_opinion": payload.expert_opinion})


@router.get("/methods", summary="Procedure methods and the legal minimums each checks (public)")
def method_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": code, "label": str(p.label), "category": p.category, "notice_type": p.notice_type,
             "invitations": p.strategy.invitations, "prequalification": p.prequalification,
             "evaluation_methods": [{"code": m, "label": str(EvaluationMethod.LABELS[m])}
                                    for m in p.evaluation_methods],
             "rules": preset_rules(p)} for code, p in PRESETS.items()]


@router.get("/procedures", auth=django_auth, summary="Procedures visible to the signed-in user")
def procedure_list(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    user = api_require(request, *READERS)
    return [{"id": p.pk, "code": p.code, "title": p.title, "method": p.method, "status": p.status,
             "bid_deadline": _iso(p.bid_deadline), "project_id": p.project_id}
            for p in selectors.procedures_for(user, status=status)[:500]]


@router.post("/procedures", auth=django_auth, response={201: dict}, summary="Build a draft procedure")
def procedure_create(request: HttpRequest, payload: ProcedureIn) -> Status:
    user = api_require(request, *BUYERS)
    project = Project.objects.filter(pk=payload.project_id).first()
    if project is None or not project_visible(user, project):
        raise ValidationFailed(_("No such project."), code="not_found", field="project_id")
    procedure = services.procedure_create(actor=user, project=project, data=_data(payload),
                                          idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(201, _out(request, procedure))


@router.get("/procedures/{procedure_id}", auth=django_auth, summary="One procedure (never who registered)")
def procedure_detail(request: HttpRequest, procedure_id: int) -> dict[str, Any]:
    api_require(request, *READERS)
    return _out(request, _procedure(request, procedure_id))


@router.put("/procedures/{procedure_id}", auth=django_auth, summary="Change a draft procedure")
def procedure_update(request: HttpRequest, procedure_id: int, payload: ProcedureIn) -> dict[str, Any]:
    user = api_require(request, *BUYERS)
    procedure = services.procedure_update(actor=user, procedure=_procedure(request, procedure_id), data=_data(payload))
    return _out(request, procedure)


@router.post("/procedures/{procedure_id}/documents", auth=django_auth, response={201: dict},
             summary="Upload a version of the tender documents (draft); X-Content-SHA256 is checked if sent")
def document_upload(request: HttpRequest, procedure_id: int) -> Status:
    """multipart/form-data with the file in ``file``."""
    user = api_require(request, *BUYERS)
    procedure = _procedure(request, procedure_id)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed(_("Attach the file as multipart field “file”."), code="required", field="file")
    document = services.document_upload(actor=user, procedure=procedure, upload=upload,
                                        expected_sha256=request.headers.get("X-Content-SHA256"))
    return Status(201, {"id": document.pk, "version": document.version, "sha256": document.sha256})


@router.post("/procedures/{procedure_id}/invitations", auth=django_auth, summary="Choose the invited suppliers")
def invitations_set(request: HttpRequest, procedure_id: int, payload: InvitationsIn) -> dict[str, Any]:
    user = api_require(request, *BUYERS)
    organisations = list(Organisation.objects.filter(pk__in=payload.organisation_ids))
    if len(organisations) != len(set(payload.organisation_ids)):
        raise ValidationFailed(_("Unknown organisation."), code="not_found", field="organisation_ids")
    invitations = services.invitations_set(actor=user, procedure=_procedure(request, procedure_id),
                                           organisations=organisations)
    return {"invited": len(invitations)}


@router.post("/procedures/{procedure_id}/publish", auth=django_auth,
             summary="Check the timeline against the method's legal minimums and publish")
def procedure_publish(request: HttpRequest, procedure_id: int) -> dict[str, Any]:
    user = api_require(request, *BUYERS)
    procedure, findings = services.procedure_publish(actor=user, procedure=_procedure(request, procedure_id))
    return _out(request, procedure, findings)


@router.post("/lots/{lot_id}/register", auth=django_auth, response={201: dict},
             summary="Register the supplier's organisation for a lot (网上报名)")
def registration_create(request: HttpRequest, lot_id: int) -> Status:
    user = api_require(request, Role.SUPPLIER)
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        raise NotFound(_("No such lot."))
    selectors.procedure_for(user, lot.procedure_id)
    registration = services.registration_create(actor=user, lot=lot)
    return Status(201, {"lot_id": lot.pk, "registered_at": _iso(registration.registered_at)})


@router.get("/documents/{document_id}/download", auth=django_auth,
            summary="Download a version of the tender documents (recorded)")
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    user = api_require(request, Role.SUPPLIER)
    document = TenderDocument.objects.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("No such document."))
    selectors.procedure_for(user, document.procedure_id)
    services.document_download(actor=user, document=document)
    return _file(document)


def _file(document: TenderDocument) -> FileResponse:
    from django.core.files.storage import default_storage

    response = FileResponse(default_storage.open(document.path, "rb"), as_attachment=True, filename=document.name)
    response["X-Content-SHA256"] = document.sha256
    return response


@router.post("/procedures/{procedure_id}/questions", auth=django_auth, response={201: dict},
             summary="Ask a question (anonymous to everyone else)")
def question_ask(request: HttpRequest, procedure_id: int, payload: TextIn) -> Status:
    user = api_require(request, Role.SUPPLIER)
    question = services.question_ask(actor=user, procedure=_procedure(request, procedure_id), text=payload.text)
    return Status(201, {"id": question.pk})


@router.post("/procedures/{procedure_id}/clarifications", auth=django_auth, response={201: dict},
             summary="Publish an answer or amendment; a late amendment postpones the deadline by rule")
def clarification_publish(request: HttpRequest, procedure_id: int, payload: ClarificationIn) -> Status:
    user = api_require(request, *BUYERS)
    procedure = _procedure(request, procedure_id)
    clarification = services.clarification_publish(
        actor=user, procedure=procedure, text=payload.text, affects_preparation=payload.affects_preparation,
        bid_deadline=payload.bid_deadline,
        answers=list(Question.objects.filter(procedure=procedure, pk__in=payload.answers)))
    return Status(201, {"number": clarification.number, "new_bid_deadline": _iso(clarification.new_bid_deadline),
                        "postponed_by_rule": clarification.postponed_by_rule, "notice_id": clarification.notice_id})


@router.post("/securities/bank-notify", summary="Bank notification of a bid security (HMAC-SHA256 signed)",
             response={201: dict})
def security_bank_notify(request: HttpRequest) -> Status:
    security = services.security_bank_notify(body=request.body,
                                              signature=request.headers.get("X-Yangguang-Signature", ""))
    return Status(201, {"received": True, "token": security.token})


@router.post("/lots/{lot_id}/guarantee", auth=django_auth, response={201: dict},
             summary="Record an electronic guarantee (电子保函) for a lot")
def security_guarantee(request: HttpRequest, lot_id: int, payload: GuaranteeIn) -> Status:
    user = api_require(request, Role.SUPPLIER)
    lot = Lot.objects.filter(pk=lot_id).first()
    if lot is None:
        raise NotFound(_("No such lot."))
    selectors.procedure_for(user, lot.procedure_id)
    security = services.security_guarantee_record(actor=user, lot=lot, guarantee_number=payload.guarantee_number,
                                                  issuer=payload.issuer, amount=payload.amount)
    return Status(201, {"received": True, "token": security.token})


@router.post("/procedures/{procedure_id}/hold", auth=django_auth, response={201: dict},
             summary="Pause the time-driven steps (centre)")
def procedure_hold(request: HttpRequest, procedure_id: int, payload: ReasonIn) -> Status:
    user = api_require(request, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN)
    hold = services.procedure_hold(actor=user, procedure=_procedure(request, procedure_id), reason=payload.reason)
    return Status(201, {"hold_id": hold.pk})


@router.post("/holds/{hold_id}/release", auth=django_auth, summary="Release a hold (centre)")
def procedure_release(request: HttpRequest, hold_id: int) -> dict[str, Any]:
    user = api_require(request, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN)
    hold = Hold.objects.filter(pk=hold_id).first()
    if hold is None:
        raise NotFound(_("No such hold."))
    selectors.procedure_for(user, hold.procedure_id)
    procedure = services.procedure_release(actor=user, hold=hold)
    return _out(request, procedure)


@router.post("/procedures/{procedure_id}/terminate", auth=django_auth, summary="Terminate (终止) with a notice")
def procedure_terminate(request: HttpRequest, procedure_id: int, payload: ReasonIn) -> dict[str, Any]:
    user = api_require(request, *BUYERS)
    procedure = services.procedure_terminate(actor=user, procedure=_procedure(request, procedure_id),
                                             reason=payload.reason)
    return _out(request, procedure)


@router.post("/procedures/{procedure_id}/announce-failure", auth=django_auth,
             summary="Publish the failed-tender notice of a failed procedure")
def procedure_failure_announce(request: HttpRequest, procedure_id: int) -> dict[str, Any]:
    user = api_require(request, *BUYERS)
    procedure = services.procedure_failure_announce(actor=user, procedure=_procedure(request, procedure_id))
    return _out(request, procedure)


@router.post("/procedures/{procedure_id}/retender", auth=django_auth, response={201: dict},
             summary="Re-tender a failed or terminated procedure as a new linked draft")
def procedure_retender(request: HttpRequest, procedure_id: int) -> Status:
    user = api_require(request, *BUYERS)
    procedure = _procedure(request, procedure_id)
    if not procedure_manageable(user, procedure):
        raise NotFound(_("No such procedure."))
    return Status(201, _out(request, services.procedure_retender(actor=user, procedure=procedure)))
