"""Who may see and act on must-trade records (exemptions, reports, investigations, violations, imports).
One condition per line. The owner side sees its own projects' exemptions; the competent department's
people review and approve; the committee office approves, reviews reports, runs investigations and refers
violations; discipline inspection receives the referrals; supervisors read within their region tree."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yangguang.accounts.access import SUPERVISORY_ROLES, has_role, visible_region_ids
from yangguang.accounts.states import Role

from .access import project_manageable
from .models import ExemptionRequest, Investigation, Violation
from .musttrade_states import ApprovalStep, ExemptionStatus, ViolationStatus

# Roles that read must-trade records of their region tree.
READERS = frozenset({*SUPERVISORY_ROLES, Role.PLATFORM_ADMIN})
CASE_ROLES = frozenset({Role.COMMITTEE_OFFICE, Role.DISCIPLINE_INSPECTION, Role.AUDIT, Role.PLATFORM_ADMIN})
FUNDING_ROLES = frozenset({Role.FINANCE, Role.COMMITTEE_OFFICE, Role.AUDIT, Role.DISCIPLINE_INSPECTION,
                           Role.PLATFORM_ADMIN})
IMPORT_ROLES = frozenset({Role.DEPARTMENT_SUPERVISOR, Role.COMMITTEE_OFFICE})


def _in_region_tree(user: Any, region_id: int) -> bool:
    regions = visible_region_ids(user)
    return regions is None or region_id in regions


def _member_of(user: Any, organisation_id: int) -> bool:
    return user.organisation_id is not None and user.organisation_id == organisation_id


def _staff_of_centre(user: Any, exemption: ExemptionRequest) -> bool:
    if not has_role(user, Role.CENTRE_STAFF):
        return False
    if user.organisation_id is None:
        return False
    return user.organisation.region_id == exemption.project.centre.region_id


def exemption_visible(user: Any, exemption: ExemptionRequest) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    if project_manageable(user, exemption.project):
        return True
    if has_role(user, Role.DEPARTMENT_SUPERVISOR) and _member_of(user, exemption.department_id):
        return True
    if _staff_of_centre(user, exemption):
        return True
    if has_role(user, *SUPERVISORY_ROLES):
        return _in_region_tree(user, exemption.project.region_id)
    return False


def exemption_decidable(user: Any, exemption: ExemptionRequest, step: str) -> bool:
    """The step the request waits for, by the people who hold it. The leader's approval must come from
    another person than the section review (four eyes): ``decided_by`` of the section decision is checked
    in the service."""
    if step in (ApprovalStep.SECTION_REVIEW, ApprovalStep.LEADER_APPROVAL):
        return has_role(user, Role.DEPARTMENT_SUPERVISOR) and _member_of(user, exemption.department_id)
    if step == ApprovalStep.COMMITTEE_APPROVAL:
        return has_role(user, Role.COMMITTEE_OFFICE) and _in_region_tree(user, exemption.project.region_id)
    return False


def exemption_publishable(user: Any, exemption: ExemptionRequest) -> bool:
    """Publication on the portal: the centre that handles the project (the notices app decides in the end)."""
    if exemption.status != ExemptionStatus.APPROVED:
        return False
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    return _staff_of_centre(user, exemption)


def exemptions_visible(user: Any) -> QuerySet[ExemptionRequest]:
    """The same rules as :func:`exemption_visible`, as one query."""
    qs = ExemptionRequest.objects.select_related("project", "project__owner", "project__region", "department")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if has_role(user, Role.PLATFORM_ADMIN):
        return qs
    if user.organisation_id is None:
        return qs.none()
    if has_role(user, Role.PURCHASER, Role.AGENCY):
        return qs.filter(Q(project__owner_id=user.organisation_id) | Q(project__agency_id=user.organisation_id))
    if has_role(user, Role.CENTRE_STAFF):
        return qs.filter(project__centre__region_id=user.organisation.region_id)
    if has_role(user, Role.DEPARTMENT_SUPERVISOR):
        regions = visible_region_ids(user) or set()
        return qs.filter(Q(department_id=user.organisation_id) | Q(project__region_id__in=regions))
    if has_role(user, *SUPERVISORY_ROLES):
        return qs.filter(project__region_id__in=visible_region_ids(user) or set())
    return qs.none()


def case_visible(user: Any, case: Investigation | Violation) -> bool:
    """Investigations and violations: the committee office, discipline inspection, audit, admin."""
    if not has_role(user, *CASE_ROLES):
        return False
    return _in_region_tree(user, _case_region(case))


def _case_region(case: Investigation | Violation) -> int:
    if isinstance(case, Violation):
        return case.region_id
    return case.project.region_id


def violations_visible(user: Any) -> QuerySet[Violation]:
    qs = Violation.objects.select_related("project", "region", "exemption")
    if not has_role(user, *CASE_ROLES):
        return qs.none()
    regions = visible_region_ids(user)
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    if has_role(user, Role.DISCIPLINE_INSPECTION):
        # Discipline inspection works on what was referred to it.
        qs = qs.filter(status__in=[ViolationStatus.REFERRED, ViolationStatus.CLOSED])
    return qs


def investigations_visible(user: Any) -> QuerySet[Investigation]:
    qs = Investigation.objects.select_related("project", "project__region")
    if not has_role(user, *CASE_ROLES):
        return qs.none()
    regions = visible_region_ids(user)
    return qs if regions is None else qs.filter(project__region_id__in=regions)
