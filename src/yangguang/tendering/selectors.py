"""Reads of tendering.

``registered_bidders(lot)`` is for services of later steps only (sealed bids, expert recusal): it returns
the secret list of registrations regardless of the caller and must never feed a page or an endpoint before
the bid deadline. Pages and endpoints read through the access-checked functions below.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from yangguang.accounts.models import Organisation
from yangguang.core.errors import NotFound

from .access import own_organisation, procedure_visible, procedures_visible, registrations_readable
from .models import BidSecurity, Clarification, Lot, Procedure, Question, Registration


def registered_bidders(lot: Lot) -> list[Organisation]:
    """INTERNAL, SECRET before the deadline: the organisations registered for ``lot``, in registration order.
    For service code of later issues (sealed-bid acceptance, expert recusal checks); never render it or
    return it from an endpoint while ``lot.procedure.status`` is in ``states.SECRET_STATUSES``."""
    ids = list(Registration.objects.filter(lot=lot).order_by("pk").values_list("organisation_id", flat=True))
    found = Organisation.objects.in_bulk(ids)
    return [found[i] for i in ids]


def procedure_for(user: Any, pk: int) -> Procedure:
    procedure = Procedure.objects.select_related("project", "project__owner", "project__agency", "project__centre",
                                                "project__region").filter(pk=pk).first()
    if procedure is None or not procedure_visible(user, procedure):
        raise NotFound(_not_found())
    return procedure


def _not_found() -> str:
    from django.utils.translation import gettext as _

    return _("No such procedure.")


def procedures_for(user: Any, *, status: str = "") -> QuerySet[Procedure]:
    qs = procedures_visible(user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def my_registrations(user: Any, procedure: Procedure) -> QuerySet[Registration]:
    """The user's own organisation's registrations for the procedure (a supplier sees its own, nothing else)."""
    org = own_organisation(user)
    if org is None:
        return Registration.objects.none()
    return Registration.objects.filter(lot__procedure=procedure, organisation_id=org).select_related("lot")


def registration_summary(user: Any, procedure: Procedure) -> list[dict[str, Any]] | None:
    """Per lot: registration count and securities, for the buyer side, the centre and supervisors — only
    after the deadline; ``None`` (nothing to show) before it, for everyone."""
    if not registrations_readable(user, procedure):
        return None
    rows = []
    for lot in procedure.lots.all():
        rows.append({
            "lot": lot, "registrations": Registration.objects.filter(lot=lot).count(),
            "securities": list(BidSecurity.objects.filter(lot=lot).select_related("organisation")),
            "bidders": registered_bidders(lot),
        })
    return rows


def questions_for(user: Any, procedure: Procedure) -> list[dict[str, Any]]:
    """Questions without their asker; a supplier additionally sees which are its own."""
    org = own_organisation(user)
    return [{"question": q, "mine": org is not None and q.asker_id == org}
            for q in Question.objects.filter(procedure=procedure).select_related("answer")]


def clarifications_of(procedure: Procedure) -> QuerySet[Clarification]:
    return procedure.clarifications.select_related("document").order_by("number")


def my_securities(user: Any, procedure: Procedure) -> QuerySet[BidSecurity]:
    org = own_organisation(user)
    if org is None:
        return BidSecurity.objects.none()
    return BidSecurity.objects.filter(lot__procedure=procedure, organisation_id=org).select_related("lot")
