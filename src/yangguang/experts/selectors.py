"""Reads of the pool and the draws. Anything that could link an expert to an unreleased draw is filtered
here, so every page and endpoint gets the same answer."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from yangguang.accounts.access import has_role
from yangguang.accounts.states import Role
from yangguang.projects.access import projects_visible

from .access import DRAW_READERS, POOL_READERS
from .models import DrawRequest, DrawSlot, Expert, ExpertRating, ServiceRecord, Specialty
from .states import SlotState


def specialties_tree() -> list[tuple[Specialty, int]]:
    """Every specialty with its depth, parents before children, in code order."""
    nodes = list(Specialty.objects.order_by("code"))
    by_parent: dict[int | None, list[Specialty]] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    out: list[tuple[Specialty, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in by_parent.get(parent, []):
            out.append((node, depth))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return out


def experts_search(user: Any, *, query: str = "", specialty: str = "", region: str = "", status: str = ""
                   ) -> QuerySet[Expert]:
    """The pool is searched, not browsed: with no criterion the result is empty (a 100,000-row list helps
    nobody, and a wholesale list is what leaks get printed from)."""
    qs = Expert.objects.select_related("region").order_by("pk")
    if not has_role(user, *POOL_READERS):
        return qs.none()
    if not (query or specialty or region or status):
        return qs.none()
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(employer_name__contains=query) | Q(id_number=query.upper())
                       | Q(employer_credit_code=query.upper()))
    if specialty:
        qs = qs.filter(specialties__code__startswith=specialty).distinct()
    if region:
        qs = qs.filter(region__code=region)
    if status:
        qs = qs.filter(status=status)
    return qs


def pool_summary() -> dict[str, Any]:
    by_status = dict(Expert.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {"total": sum(by_status.values()), "by_status": by_status}


def applications_pending() -> QuerySet[Expert]:
    from .states import ExpertStatus

    return Expert.objects.filter(status=ExpertStatus.SUBMITTED).select_related("region").order_by("submitted_at")


def services_public(expert: Expert) -> QuerySet[ServiceRecord]:
    """Service history without anything from a draw that is still sealed."""
    return (ServiceRecord.objects.filter(expert=expert)
            .filter(Q(slot__isnull=True) | Q(slot__draw__released_at__isnull=False))
            .select_related("project").order_by("-served_on"))


def ratings_public(expert: Expert) -> QuerySet[ExpertRating]:
    return (ExpertRating.objects.filter(slot__expert=expert, slot__draw__released_at__isnull=False)
            .select_related("slot__draw__request__project", "rater").order_by("-rated_at"))


def draw_requests_visible(user: Any) -> QuerySet[DrawRequest]:
    if not has_role(user, *DRAW_READERS):
        return DrawRequest.objects.none()
    return (DrawRequest.objects.filter(project__in=projects_visible(user))
            .select_related("project", "draw").order_by("-pk"))


def invitations_of(user: Any) -> QuerySet[DrawSlot]:
    """The signed-in expert's own invitations (open ones first): the on-screen queue."""
    if not has_role(user, Role.EXPERT):
        return DrawSlot.objects.none()
    return (DrawSlot.objects.filter(expert__user=user).exclude(state=SlotState.WAITING)
            .select_related("draw__request__project", "specialty").order_by("-invited_at"))


def slot_state_counts(draw_id: int) -> list[dict[str, Any]]:
    """Per stratum: how many seats are filled, open, declined … — no names, no ids."""
    rows = (DrawSlot.objects.filter(draw_id=draw_id).values("stratum", "specialty__name", "state")
            .annotate(n=Count("pk")).order_by("stratum", "state"))
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = out.setdefault(row["stratum"], {"stratum": row["stratum"], "specialty": row["specialty__name"],
                                                "states": {}})
        entry["states"][row["state"]] = row["n"]
    return list(out.values())
