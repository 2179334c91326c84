"""Project intake over JSON: the same service functions as the web pages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from yangguang.accounts.access import SUPERVISORY_ROLES, api_require
from yangguang.accounts.models import Organisation, Region
from yangguang.accounts.states import Role
from yangguang.catalogue.models import CatalogueItem
from yangguang.core.errors import NotFound, ValidationFailed

from . import services
from .access import project_visible, projects_visible
from .models import Project

router = Router(tags=["projects"])

BUYERS = (Role.PURCHASER, Role.AGENCY)
READERS = (*BUYERS, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES)


class FundingIn(Schema):
    source: str
    amount: Decimal


class ProjectIn(Schema):
    name: str
    category: str
    catalogue_item_id: int
    region_code: str
    budget: Decimal
    fundings: list[FundingIn]
    responsible_leader: str
    responsible_section: str
    responsible_person: str
    responsible_phone: str
    description: str = ""
    owner_id: int | None = None
    agency_id: int | None = None


class ReturnIn(Schema):
    reason: str = ""


class FundingOut(Schema):
    source: str
    amount: Decimal


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    status: str
    category: str
    catalogue_item: str
    region: str
    centre: str
    owner: str
    agency: str | None
    budget: Decimal
    fundings: list[FundingOut]
    must_trade: bool | None
    must_trade_reason: str
    catalogue_version: str
    return_reason: str
    created_at: datetime


def _out(project: Project) -> dict:
    return {
        "id": project.pk, "code": project.code, "name": project.name, "status": project.status,
        "category": project.category, "catalogue_item": project.catalogue_item.code, "region": project.region.code,
        "centre": project.centre.code, "owner": project.owner.name,
        "agency": project.agency.name if project.agency_id else None,  # type: ignore[union-attr]
        "budget": project.budget,
        "fundings": [{"source": f.source, "amount": f.amount} for f in project.fundings.all()],
        "must_trade": project.must_trade, "must_trade_reason": project.must_trade_reason,
        "catalogue_version": project.catalogue_version, "return_reason": project.return_reason,
        "created_at": project.created_at,
    }


def _visible(request: HttpRequest, project_id: int) -> Project:
    project = Project.objects.select_related("owner", "agency", "region", "centre", "catalogue_item").filter(
        pk=project_id).first()
    if project is None or not project_visible(request.user, project):
        raise NotFound(_("No such project."))
    return project


def _lookup(model: type, pk: int | None, field: str, message: str) -> object | None:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise ValidationFailed(message, code="not_found", field=field)
    return found


@router.get("/", response=list[ProjectOut], auth=django_auth, summary="Projects visible to the signed-in user")
def project_list(request: HttpRequest, status: str = "", category: str = "") -> list[dict]:
    user = api_require(request, *READERS)
    projects = projects_visible(user).prefetch_related("fundings")
    if status:
        projects = projects.filter(status=status)
    if category:
        projects = projects.filter(category=category)
    return [_out(p) for p in projects.order_by("-created_at", "-pk")[:500]]


@router.get("/{project_id}", response=ProjectOut, auth=django_auth, summary="One project")
def project_get(request: HttpRequest, project_id: int) -> dict:
    api_require(request, *READERS)
    return _out(_visible(request, project_id))


@router.post("/", response={201: ProjectOut}, auth=django_auth,
             summary="Register a draft project (Idempotency-Key header makes retries safe)")
def project_create(request: HttpRequest, body: ProjectIn) -> Status:
    user = api_require(request, *BUYERS)
    region = Region.objects.filter(code=body.region_code).first()
    if region is None:
        raise ValidationFailed(_("Unknown region code."), code="not_found", field="region_code")
    item = CatalogueItem.objects.select_related("type__version").filter(pk=body.catalogue_item_id).first()
    if item is None:
        raise ValidationFailed(_("Unknown catalogue item."), code="not_found", field="catalogue_item_id")
    data = services.ProjectData(
        name=body.name, category=body.category, catalogue_item=item, region=region, budget=body.budget,
        fundings=[(f.source, f.amount) for f in body.fundings], responsible_leader=body.responsible_leader,
        responsible_section=body.responsible_section, responsible_person=body.responsible_person,
        responsible_phone=body.responsible_phone, description=body.description,
    )
    project = services.project_register(
        actor=user, data=data,
        owner=_lookup(Organisation, body.owner_id, "owner_id", _("Unknown organisation.")),  # type: ignore[arg-type]
        agency=_lookup(Organisation, body.agency_id, "agency_id", _("Unknown organisation.")),  # type: ignore[arg-type]
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201, _out(project))


@router.post("/{project_id}/submit", response=ProjectOut, auth=django_auth, summary="Submit to the centre")
def project_submit(request: HttpRequest, project_id: int) -> dict:
    user = api_require(request, *BUYERS)
    return _out(services.project_submit(actor=user, project=_visible(request, project_id)))


@router.post("/{project_id}/accept", response=ProjectOut, auth=django_auth, summary="Accept (centre staff)")
def project_accept(request: HttpRequest, project_id: int) -> dict:
    user = api_require(request, Role.CENTRE_STAFF)
    return _out(services.project_accept(actor=user, project=_visible(request, project_id)))


@router.post("/{project_id}/return", response=ProjectOut, auth=django_auth, summary="Return with a reason")
def project_return(request: HttpRequest, project_id: int, body: ReturnIn) -> dict:
    user = api_require(request, Role.CENTRE_STAFF)
    return _out(services.project_return(actor=user, project=_visible(request, project_id), reason=body.reason))


@router.post("/{project_id}/withdraw", response=ProjectOut, auth=django_auth, summary="Withdraw")
def project_withdraw(request: HttpRequest, project_id: int) -> dict:
    user = api_require(request, *BUYERS)
    return _out(services.project_withdraw(actor=user, project=_visible(request, project_id)))


# Must-trade enforcement (exemptions, violations, project-list import) under the same prefix.
from .musttrade_api import router as _musttrade_router  # noqa: E402

router.add_router("", _musttrade_router)
