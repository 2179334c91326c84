"""Who may see and act on a project. Intake is internal: the public, suppliers and experts see nothing
here (accepted projects reach the public later through notices). One condition per line."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yangguang.accounts.access import SUPERVISORY_ROLES, has_role, visible_region_ids
from yangguang.accounts.states import Role

from .models import Project


def _member_of_owner_side(user: Any, project: Project) -> bool:
    if not has_role(user, Role.PURCHASER, Role.AGENCY):
        return False
    if user.organisation_id is None:
        return False
    if user.organisation_id == project.owner_id:
        return True
    return user.organisation_id == project.agency_id


def _staff_of_centre(user: Any, project: Project) -> bool:
    if not has_role(user, Role.CENTRE_STAFF):
        return False
    if user.organisation_id is None:
        return False
    return user.organisation.region_id == project.centre.region_id


def project_visible(user: Any, project: Project) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    if _member_of_owner_side(user, project):
        return True
    if _staff_of_centre(user, project):
        return True
    if has_role(user, Role.CENTRE_STAFF) and user.organisation.region_id == project.region_id:
        return True
    if has_role(user, *SUPERVISORY_ROLES):
        return project.region_id in (visible_region_ids(user) or set())
    return False


def project_manageable(user: Any, project: Project) -> bool:
    """Edit, submit, withdraw, attach documents: the owner's and its agency's people."""
    return _member_of_owner_side(user, project)


def project_intake_allowed(user: Any, project: Project) -> bool:
    """Accept or return: staff of the centre that handles the project."""
    return _staff_of_centre(user, project)


def projects_visible(user: Any) -> QuerySet[Project]:
    """The same rules as :func:`project_visible`, as one query."""
    projects = Project.objects.select_related("owner", "agency", "region", "centre", "catalogue_item")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return projects.none()
    if has_role(user, Role.PLATFORM_ADMIN):
        return projects
    if user.organisation_id is None:
        return projects.none()
    if has_role(user, Role.PURCHASER, Role.AGENCY):
        return projects.filter(Q(owner_id=user.organisation_id) | Q(agency_id=user.organisation_id))
    if has_role(user, Role.CENTRE_STAFF):
        region_id = user.organisation.region_id
        return projects.filter(Q(centre__region_id=region_id) | Q(region_id=region_id))
    if has_role(user, *SUPERVISORY_ROLES):
        return projects.filter(region_id__in=visible_region_ids(user) or set())
    return projects.none()
