"""Who may see and do what in tendering. One condition per line.

The secret of the trade here (招标投标法 第22条; 财政部令第87号 第28条): before the bid deadline nobody —
purchaser, agency, centre staff, supervisor, administrator or another bidder — may learn who registered,
downloaded the documents, asked a question or paid a bid security, nor how many did. Every read of those
rows in this app goes through :func:`registrations_readable` or :func:`own_organisation`; the only other
reader is :func:`.selectors.registered_bidders`, for services of later steps, never for a page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yangguang.accounts.access import SUPERVISORY_ROLES, has_role, visible_region_ids
from yangguang.accounts.states import Role

from .models import Procedure
from .states import SECRET_STATUSES, ProcedureStatus

BUYERS = (Role.PURCHASER, Role.AGENCY)
OVERSEERS = (Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES)


def _buyer_side(user: Any, procedure: Procedure) -> bool:
    if not has_role(user, *BUYERS):
        return False
    if user.organisation_id is None:
        return False
    project = procedure.project
    return user.organisation_id in (project.owner_id, project.agency_id)


def _staff_of_centre(user: Any, procedure: Procedure) -> bool:
    if not has_role(user, Role.CENTRE_STAFF):
        return False
    if user.organisation_id is None:
        return False
    return user.organisation.region_id == procedure.project.centre.region_id


def _overseer_of_region(user: Any, procedure: Procedure) -> bool:
    if not has_role(user, *SUPERVISORY_ROLES):
        return False
    return procedure.project.region_id in (visible_region_ids(user) or set())


def _supplier_may_see(user: Any, procedure: Procedure) -> bool:
    if not has_role(user, Role.SUPPLIER):
        return False
    if user.organisation_id is None:
        return False
    if procedure.status == ProcedureStatus.DRAFT:
        return False
    if procedure.preset.strategy.public_notice and not procedure.preset.strategy.invitations:
        return True
    return procedure.invitations.filter(organisation_id=user.organisation_id).exists()


def procedure_visible(user: Any, procedure: Procedure) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    if _buyer_side(user, procedure):
        return True
    if _staff_of_centre(user, procedure):
        return True
    if _overseer_of_region(user, procedure):
        return True
    return _supplier_may_see(user, procedure)


def procedure_manageable(user: Any, procedure: Procedure) -> bool:
    """Build, publish, clarify, terminate: the purchaser's and its agency's people."""
    return _buyer_side(user, procedure)


def procedure_holdable(user: Any, procedure: Procedure) -> bool:
    """Pause and resume the time-driven steps: the centre's staff and the administrator (complaints later)."""
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    return _staff_of_centre(user, procedure)


def registrations_readable(user: Any, procedure: Procedure) -> bool:
    """Counts and lists of registrations, downloads and securities: nobody before the deadline; afterwards
    the buyer side, the centre and the supervisors of the region."""
    if procedure.status in SECRET_STATUSES:
        return False
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    if _buyer_side(user, procedure):
        return True
    if _staff_of_centre(user, procedure):
        return True
    return _overseer_of_region(user, procedure)


def own_organisation(user: Any) -> int | None:
    """The supplier organisation whose own registrations the user may see (its own, and only those)."""
    if not has_role(user, Role.SUPPLIER):
        return None
    return user.organisation_id


def procedures_visible(user: Any) -> QuerySet[Procedure]:
    """The same rules as :func:`procedure_visible`, as one query."""
    qs = Procedure.objects.select_related("project", "project__centre", "project__region")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if has_role(user, Role.PLATFORM_ADMIN):
        return qs
    if user.organisation_id is None:
        return qs.none()
    if has_role(user, *BUYERS):
        org = user.organisation_id
        return qs.filter(Q(project__owner_id=org) | Q(project__agency_id=org))
    if has_role(user, Role.CENTRE_STAFF):
        return qs.filter(project__centre__region_id=user.organisation.region_id)
    if has_role(user, *SUPERVISORY_ROLES):
        return qs.filter(project__region_id__in=visible_region_ids(user) or set())
    if has_role(user, Role.SUPPLIER):
        from .presets import PRESETS

        public = [code for code, p in PRESETS.items() if not p.strategy.invitations]
        return qs.exclude(status=ProcedureStatus.DRAFT).filter(
            Q(method__in=public) | Q(invitations__organisation_id=user.organisation_id)).distinct()
    return qs.none()
