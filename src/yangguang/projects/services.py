"""Every write of project intake. Each step: check it is allowed → lock → change → event → on-commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yangguang.accounts.models import Centre, Organisation, Region
from yangguang.accounts.states import OrganisationKind, Role
from yangguang.catalogue.models import CatalogueItem
from yangguang.catalogue.selectors import must_trade_decide, version_in_force
from yangguang.catalogue.states import CATEGORY_CODES, Category, FundingSource
from yangguang.core.codes import code_next
from yangguang.core.dbclock import db_now
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.core.storage import file_store

from .access import project_intake_allowed, project_manageable
from .models import Project, ProjectDocument, ProjectFunding
from .states import EDITABLE_STATUSES, PROJECT_MOVES, ProjectStatus

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ProjectData:
    """What the owner fills in; checked by :func:`_validate` before anything is written."""

    name: str
    category: str
    catalogue_item: CatalogueItem
    region: Region
    budget: Decimal
    fundings: list[tuple[str, Decimal]]
    responsible_leader: str
    responsible_section: str
    responsible_person: str
    responsible_phone: str
    description: str = ""


def centre_for_region(region: Region) -> Centre | None:
    """The region's own active centre, else the parent city's (a county without an active centre trades at
    the city centre)."""
    current: Region | None = region
    while current is not None:
        centre = Centre.objects.filter(region=current, is_active=True).first()
        if centre is not None:
            return centre
        current = current.parent
    return None


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("Enter an amount in yuan, such as 1200000.00."), code="invalid_amount",
                               field=field) from None
    if not amount.is_finite():
        raise ValidationFailed(_("Enter an amount in yuan, such as 1200000.00."), code="invalid_amount", field=field)
    return amount


def _validate(data: ProjectData) -> tuple[ProjectData, Centre]:
    required = {
        "name": (data.name, _("Enter the project name.")),
        "responsible_leader": (data.responsible_leader, _("Enter the responsible leader.")),
        "responsible_section": (data.responsible_section, _("Enter the responsible section.")),
        "responsible_person": (data.responsible_person, _("Enter the responsible person.")),
        "responsible_phone": (data.responsible_phone, _("Enter the responsible person's phone number.")),
    }
    for field, (value, message) in required.items():
        if not (value or "").strip():
            raise ValidationFailed(message, code="required", field=field)
    if data.category not in Category.values:
        raise ValidationFailed(_("Choose one of the five trading categories."), code="invalid_category",
                               field="category")
    budget = _amount(data.budget, "budget")
    if budget <= 0:
        raise ValidationFailed(_("The budget must be greater than zero."), code="budget_not_positive", field="budget")
    version = version_in_force(data.region)
    if version is None:
        raise ValidationFailed(_("No trading catalogue is in force for this region."), code="no_catalogue",
                               field="region")
    item = data.catalogue_item
    if item.type.version_id != version.pk:
        raise ValidationFailed(
            _("The catalogue item is not in the catalogue in force for this region (%(version)s).")
            % {"version": version}, code="item_not_in_force", field="catalogue_item")
    if item.type.category != data.category:
        raise ValidationFailed(_("The catalogue item does not belong to the chosen category."),
                               code="item_category_mismatch", field="catalogue_item")
    centre = centre_for_region(data.region)
    if centre is None:
        raise ValidationFailed(_("No active trading centre serves this region."), code="no_centre", field="region")
    fundings: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    for source, raw in data.fundings:
        if source not in FundingSource.values:
            raise ValidationFailed(_("Unknown funding source."), code="invalid_funding_source", field="fundings")
        if source in seen:
            raise ValidationFailed(_("Each funding source may appear only once."), code="duplicate_funding_source",
                                   field="fundings")
        amount = _amount(raw, "fundings")
        if amount <= 0:
            raise ValidationFailed(_("Each funding amount must be greater than zero."), code="funding_not_positive",
                                   field="fundings")
        seen.add(source)
        fundings.append((source, amount))
    if not fundings:
        raise ValidationFailed(_("Enter at least one funding source."), code="fundings_missing", field="fundings")
    total = sum((amount for _source, amount in fundings), Decimal("0"))
    if total != budget:
        raise ValidationFailed(
            _("The funding amounts add up to %(total)s yuan but the budget is %(budget)s yuan.")
            % {"total": f"{total:,.2f}", "budget": f"{budget:,.2f}"}, code="fundings_budget_mismatch",
            field="fundings")
    cleaned = ProjectData(
        name=data.name.strip(), category=data.category, catalogue_item=item, region=data.region, budget=budget,
        fundings=fundings, responsible_leader=data.responsible_leader.strip(),
        responsible_section=data.responsible_section.strip(), responsible_person=data.responsible_person.strip(),
        responsible_phone=data.responsible_phone.strip(), description=(data.description or "").strip(),
    )
    return cleaned, centre


def _owner_side(*, actor: Any, owner: Organisation | None, agency: Organisation | None
                ) -> tuple[Organisation, Organisation | None]:
    """A purchaser registers for its own organisation; an agency registers for a purchaser it acts for."""
    if actor.role == Role.PURCHASER:
        owner = actor.organisation
    elif actor.role == Role.AGENCY:
        agency = actor.organisation
    else:
        raise PermissionDenied(_("Only purchasers and agencies register projects."))
    if owner is None or owner.kind != OrganisationKind.PURCHASER:
        raise ValidationFailed(_("Choose the purchaser / tenderer that owns the project."), code="owner_required",
                               field="owner")
    if agency is not None and agency.kind != OrganisationKind.AGENCY:
        raise ValidationFailed(_("The chosen agency is not a registered procurement agency."),
                               code="invalid_agency", field="agency")
    return owner, agency


def _write_fundings(project: Project, fundings: Iterable[tuple[str, Decimal]]) -> None:
    ProjectFunding.objects.filter(project=project).delete()
    ProjectFunding.objects.bulk_create(
        [ProjectFunding(project=project, source=source, amount=amount) for source, amount in fundings]
    )


def project_register(*, actor: Any, data: ProjectData, owner: Organisation | None = None,
                     agency: Organisation | None = None, idempotency_key: str = "") -> Project:
    """A purchaser or agency registers a draft project. With ``idempotency_key`` a retry returns the project
    the first attempt created instead of a second one."""
    key = (idempotency_key or "").strip()[:80]
    if key:
        existing = Project.objects.filter(created_by=actor, idempotency_key=key).first()
        if existing is not None:
            return existing
    owner, agency = _owner_side(actor=actor, owner=owner, agency=agency)
    cleaned, centre = _validate(data)
    try:
        with transaction.atomic():
            project = Project.objects.create(
                name=cleaned.name, owner=owner, agency=agency, category=cleaned.category,
                catalogue_item=cleaned.catalogue_item, region=cleaned.region, centre=centre, budget=cleaned.budget,
                responsible_leader=cleaned.responsible_leader, responsible_section=cleaned.responsible_section,
                responsible_person=cleaned.responsible_person, responsible_phone=cleaned.responsible_phone,
                description=cleaned.description, idempotency_key=key, created_by=actor,
            )
            _write_fundings(project, cleaned.fundings)
            event_append(action="projects.project.registered", actor=actor, obj=project, payload={
                "owner": owner.pk, "agency": agency.pk if agency else None, "category": cleaned.category,
                "item": cleaned.catalogue_item.code, "region": cleaned.region.code, "centre": centre.code,
                "budget": str(cleaned.budget),
            })
    except IntegrityError:
        # Two retries raced: the unique key let one in; return that one.
        existing = Project.objects.filter(created_by=actor, idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing
    return project


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("region", "centre", "catalogue_item").get(
        pk=project.pk)


def _require_manager(actor: Any, project: Project) -> None:
    if not project_manageable(actor, project):
        raise PermissionDenied(_("Only the project's purchaser and agency may do this."))


def project_update(*, actor: Any, project: Project, data: ProjectData, agency: Organisation | None = None) -> Project:
    """Change a draft or returned project (the owner stays; an agency keeps acting for the same owner)."""
    _require_manager(actor, project)
    if project.status not in EDITABLE_STATUSES:
        raise IllegalTransition(_("The project can be changed only while it is a draft or returned."))
    if actor.role == Role.AGENCY:
        agency = actor.organisation
    if agency is not None and agency.kind != OrganisationKind.AGENCY:
        raise ValidationFailed(_("The chosen agency is not a registered procurement agency."),
                               code="invalid_agency", field="agency")
    cleaned, centre = _validate(data)
    with transaction.atomic():
        locked = _lock(project)
        if locked.status not in EDITABLE_STATUSES:
            raise IllegalTransition(_("The project can be changed only while it is a draft or returned."))
        for field in ("name", "category", "catalogue_item", "region", "budget", "responsible_leader",
                      "responsible_section", "responsible_person", "responsible_phone", "description"):
            setattr(locked, field, getattr(cleaned, field))
        locked.centre = centre
        locked.agency = agency
        locked.save()
        _write_fundings(locked, cleaned.fundings)
        event_append(action="projects.project.updated", actor=actor, obj=locked, payload={
            "agency": agency.pk if agency else None, "category": cleaned.category, "item": cleaned.catalogue_item.code,
            "region": cleaned.region.code, "centre": centre.code, "budget": str(cleaned.budget),
        })
    return locked


def project_submit(*, actor: Any, project: Project) -> Project:
    _require_manager(actor, project)
    PROJECT_MOVES.target("submit", project.status)
    with transaction.atomic():
        locked = _lock(project)
        locked.status = PROJECT_MOVES.target("submit", locked.status)
        locked.submitted_by = actor
        locked.submitted_at = db_now()
        locked.save(update_fields=["status", "submitted_by", "submitted_at"])
        event_append(action="projects.project.submitted", actor=actor, obj=locked,
                     payload={"centre": locked.centre.code, "budget": str(locked.budget)})
        transaction.on_commit(lambda: logger.info("project %s submitted to centre %s", locked.pk,
                                                  locked.centre.code))
    return locked


def project_accept(*, actor: Any, project: Project) -> Project:
    """The centre accepts the project: decide must-trade against the catalogue and assign the project code."""
    if not project_intake_allowed(actor, project):
        raise PermissionDenied(_("Only staff of the project's trading centre may accept or return it."))
    PROJECT_MOVES.target("accept", project.status)
    with transaction.atomic():
        locked = _lock(project)
        locked.status = PROJECT_MOVES.target("accept", locked.status)
        fundings = {f.source: f.amount for f in locked.fundings.all()}
        decision = must_trade_decide(item=locked.catalogue_item, funding_sources=fundings, budget=locked.budget)
        now = db_now()
        year = timezone.localtime(now).year
        locked.code = code_next(f"{locked.region.code}-{CATEGORY_CODES[Category(locked.category)]}-{year}")
        locked.must_trade = decision.must_trade
        locked.must_trade_reason = decision.reason[:300]
        locked.catalogue_version = decision.version[:220]
        locked.accepted_by = actor
        locked.accepted_at = now
        locked.return_reason = ""
        locked.save(update_fields=["status", "code", "must_trade", "must_trade_reason", "catalogue_version",
                                   "accepted_by", "accepted_at", "return_reason"])
        event_append(action="projects.project.accepted", actor=actor, obj=locked, payload={
            "code": locked.code, "must_trade": decision.must_trade, "item": decision.item_code,
            "rule": decision.rule_code, "catalogue_version": decision.version, "budget": str(locked.budget),
        })
        transaction.on_commit(lambda: logger.info("project %s accepted as %s", locked.pk, locked.code))
    return locked


def project_return(*, actor: Any, project: Project, reason: str) -> Project:
    if not project_intake_allowed(actor, project):
        raise PermissionDenied(_("Only staff of the project's trading centre may accept or return it."))
    PROJECT_MOVES.target("return", project.status)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for returning the project."), code="reason_required",
                               field="reason")
    with transaction.atomic():
        locked = _lock(project)
        locked.status = PROJECT_MOVES.target("return", locked.status)
        locked.return_reason = reason
        locked.returned_at = db_now()
        locked.save(update_fields=["status", "return_reason", "returned_at"])
        # The reason is the centre's text about the project, not personal data; it is public record.
        event_append(action="projects.project.returned", actor=actor, obj=locked, payload={"reason": reason})
    return locked


def project_withdraw(*, actor: Any, project: Project) -> Project:
    _require_manager(actor, project)
    PROJECT_MOVES.target("withdraw", project.status)
    with transaction.atomic():
        locked = _lock(project)
        previous = locked.status
        locked.status = PROJECT_MOVES.target("withdraw", locked.status)
        locked.withdrawn_at = db_now()
        locked.save(update_fields=["status", "withdrawn_at"])
        event_append(action="projects.project.withdrawn", actor=actor, obj=locked, payload={"from": previous})
    return locked


def project_document_attach(*, actor: Any, project: Project, title: str, upload: File,
                            expected_sha256: str | None = None) -> ProjectDocument:
    """Store a document by its SHA-256; a client-supplied hash that does not match stores nothing."""
    _require_manager(actor, project)
    if project.status not in {*EDITABLE_STATUSES, ProjectStatus.SUBMITTED}:
        raise IllegalTransition(_("Documents can be added only before the project is accepted."))
    title = (title or "").strip() or getattr(upload, "name", "") or ""
    if not title:
        raise ValidationFailed(_("Enter the document title."), code="required", field="title")
    stored = file_store(upload, expected_sha256=expected_sha256, folder="projects")
    with transaction.atomic():
        locked = _lock(project)
        if locked.status not in {*EDITABLE_STATUSES, ProjectStatus.SUBMITTED}:
            raise IllegalTransition(_("Documents can be added only before the project is accepted."))
        document = ProjectDocument.objects.create(project=locked, title=title[:200], path=stored.path,
                                                  sha256=stored.sha256, size=stored.size, uploaded_by=actor)
        event_append(action="projects.project.document_attached", actor=actor, obj=locked,
                     payload={"document": document.pk, "sha256": stored.sha256, "size": stored.size})
    return document
