"""Expert API: the public specialty list and audit packages; draw requests, runs and releases for the
centre and supervisors; an expert's own invitations. No operation returns a drawn expert before release."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from yangguang.accounts.access import api_require
from yangguang.accounts.states import Role
from yangguang.core.errors import NotFound, PermissionDenied
from yangguang.projects.access import project_visible
from yangguang.projects.models import Project

from . import services
from .access import DRAW_OPERATORS, DRAW_READERS, RELEASERS, draw_names_visible, draw_operable, draw_request_visible
from .models import Draw, DrawRequest, DrawSlot, Specialty
from .selectors import invitations_of, slot_state_counts
from .states import RegionScope

router = Router(tags=["experts"])


class SpecialtyOut(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None


class QuotaIn(Schema):
    specialty: str
    count: int


class DrawRequestIn(Schema):
    project_id: int
    purchaser_credit_code: str
    agency_credit_code: str = ""
    bidder_credit_codes: list[str] = []
    quotas: list[QuotaIn]
    backups: int = 2
    region_scope: str = RegionScope.LOCAL
    evaluation_at: dt.datetime
    served_window_days: int | None = None
    confirm_window_minutes: int | None = None
    venue: str = ""


class SeatOut(Schema):
    stratum: int
    specialty: str
    rank: int
    role: str
    state: str
    expert_id: int | None = None
    expert_name: str | None = None


class DrawOut(Schema):
    id: int
    project_id: int
    status: str
    evaluation_at: dt.datetime
    pool_size: int | None
    pool_hash: str | None
    commitment: str | None
    commit_seq: int | None
    beacon_seq: int | None
    exclusions: dict[str, int]
    confirmation: list[dict[str, Any]]
    released: bool
    seats: list[SeatOut]


class InvitationOut(Schema):
    id: int
    evaluation_at: dt.datetime
    venue: str
    specialty: str
    state: str
    respond_by: dt.datetime | None


class RespondIn(Schema):
    accept: bool
    reason: str = ""


def _draw_out(user: Any, request: DrawRequest) -> dict[str, Any]:
    draw = Draw.objects.filter(request=request).first()
    seats: list[dict[str, Any]] = []
    if draw_names_visible(user, draw):
        for slot in DrawSlot.objects.filter(draw=draw).exclude(state="waiting").select_related("expert", "specialty"):
            seats.append({"stratum": slot.stratum, "specialty": slot.specialty.code, "rank": slot.rank,
                          "role": slot.role, "state": slot.state, "expert_id": slot.expert_id,
                          "expert_name": slot.expert.name})
    return {
        "id": request.pk, "project_id": request.project_id, "status": request.status,
        "evaluation_at": request.evaluation_at, "pool_size": draw.pool_size if draw else None,
        "pool_hash": draw.pool_hash if draw else None, "commitment": draw.seed_commitment if draw else None,
        "commit_seq": draw.commit_seq if draw else None, "beacon_seq": draw.beacon_seq if draw else None,
        "exclusions": draw.exclusion_counts if draw else {},
        "confirmation": slot_state_counts(draw.pk) if draw else [], "released": bool(draw and draw.released_at),
        "seats": seats,
    }


def _visible_request(user: Any, request_id: int) -> DrawRequest:
    found = DrawRequest.objects.select_related("project__region", "project__centre").filter(pk=request_id).first()
    if found is None or not draw_request_visible(user, found):
        raise NotFound(_("No such draw request."))
    return found


@router.get("/specialties", response=list[SpecialtyOut], summary="The specialty taxonomy (public)")
def specialty_list(request: HttpRequest) -> list[dict]:
    return [{"code": s.code, "name": s.name, "name_en": s.name_en, "parent": s.parent.code if s.parent else None}
            for s in Specialty.objects.select_related("parent").order_by("code")]


@router.post("/draws", response={201: DrawOut}, auth=django_auth, summary="Request experts for a procedure")
def draw_request_create(request: HttpRequest, data: DrawRequestIn) -> Status[dict]:
    user = api_require(request, *DRAW_OPERATORS)
    project = Project.objects.select_related("region", "centre").filter(pk=data.project_id).first()
    if project is None or not project_visible(user, project):
        raise NotFound(_("No such project."))
    created = services.draw_request_create(
        actor=user, project=project, purchaser_credit_code=data.purchaser_credit_code,
        agency_credit_code=data.agency_credit_code, bidder_credit_codes=data.bidder_credit_codes,
        quotas=[(q.specialty, q.count) for q in data.quotas], backups=data.backups, region_scope=data.region_scope,
        evaluation_at=data.evaluation_at, served_window_days=data.served_window_days,
        confirm_window_minutes=data.confirm_window_minutes, venue=data.venue)
    return Status(201, _draw_out(user, created))


@router.get("/draws/{request_id}", response=DrawOut, auth=django_auth,
            summary="A draw: status, pool hash, commitment, counts (names only after release)")
def draw_get(request: HttpRequest, request_id: int) -> dict:
    user = api_require(request, *DRAW_READERS)
    return _draw_out(user, _visible_request(user, request_id))


@router.post("/draws/{request_id}/run", response=DrawOut, auth=django_auth, summary="Run the draw")
def draw_run(request: HttpRequest, request_id: int) -> dict:
    user = api_require(request, *DRAW_OPERATORS)
    found = _visible_request(user, request_id)
    if not draw_operable(user, found):
        raise PermissionDenied(_("Your role does not give access to this operation."))
    services.draw_run(actor=user, request=found)
    return _draw_out(user, found)


@router.post("/draws/{request_id}/release", response=DrawOut, auth=django_auth,
             summary="Consent to releasing the sealed list (two officials, at the evaluation start)")
def draw_release(request: HttpRequest, request_id: int) -> dict:
    user = api_require(request, *RELEASERS)
    found = _visible_request(user, request_id)
    draw = Draw.objects.filter(request=found).first()
    if draw is None:
        raise NotFound(_("Nothing has been drawn yet."))
    services.draw_release(actor=user, draw=draw)
    found.refresh_from_db()
    return _draw_out(user, found)


@router.get("/invitations", response=list[InvitationOut], auth=django_auth, summary="My invitations (expert)")
def invitation_list(request: HttpRequest) -> list[dict]:
    user = api_require(request, Role.EXPERT)
    return [{"id": s.pk, "evaluation_at": s.draw.request.evaluation_at, "venue": s.draw.request.venue,
             "specialty": s.specialty.code, "state": s.state, "respond_by": s.respond_by}
            for s in invitations_of(user)[:100]]


@router.post("/invitations/{slot_id}/respond", response=InvitationOut, auth=django_auth,
             summary="Accept or decline my invitation (expert)")
def invitation_respond(request: HttpRequest, slot_id: int, data: RespondIn) -> dict:
    user = api_require(request, Role.EXPERT)
    slot = DrawSlot.objects.filter(pk=slot_id, expert__user=user).first()
    if slot is None:
        raise NotFound(_("No such invitation."))
    slot = services.invitation_respond(actor=user, slot=slot, accept=data.accept, reason=data.reason)
    slot = DrawSlot.objects.select_related("draw__request", "specialty").get(pk=slot.pk)
    return {"id": slot.pk, "evaluation_at": slot.draw.request.evaluation_at, "venue": slot.draw.request.venue,
            "specialty": slot.specialty.code, "state": slot.state, "respond_by": slot.respond_by}


@router.get("/audits/{draw_id}", response=dict, summary="A published draw audit package (public)")
def audit_get(request: HttpRequest, draw_id: int) -> dict:
    draw = Draw.objects.filter(pk=draw_id, published_at__isnull=False).first()
    if draw is None:
        raise NotFound(_("No published audit package with this number."))
    return json.loads(draw.audit_package)
