"""Who may publish, correct and withdraw notices. Reading is public: every published or withdrawn notice
is part of the public record. One condition per line."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yangguang.accounts.access import BUYER_ROLES, has_role
from yangguang.accounts.models import Region
from yangguang.accounts.states import Role

from .models import Notice
from .registry import type_spec

PUBLISHER_ROLES = (Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *BUYER_ROLES)


def _staff_of_region(user: Any, region_id: int) -> bool:
    if not has_role(user, Role.CENTRE_STAFF):
        return False
    if user.organisation_id is None:
        return False
    return user.organisation.region_id == region_id


def _buyer_side_of(user: Any, project: Any) -> bool:
    if project is None:
        return False
    if not has_role(user, *BUYER_ROLES):
        return False
    if user.organisation_id is None:
        return False
    return user.organisation_id in (project.owner_id, project.agency_id)


def notice_publish_allowed(user: Any, *, notice_type: str, region: Region, project: Any = None) -> bool:
    """Staff publish any type for their own centre's region, the platform administrator anywhere; a
    purchaser or agency publishes the notices of its own projects (never the centre's own types)."""
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    if _staff_of_region(user, region.pk):
        return True
    spec = type_spec(notice_type)
    if spec is not None and spec.staff_only:
        return False
    return _buyer_side_of(user, project)


def notice_manageable(user: Any, notice: Notice) -> bool:
    """Correct or withdraw: whoever may publish that notice."""
    return notice_publish_allowed(user, notice_type=notice.type, region=notice.region, project=notice.project)


def notices_managed(user: Any) -> QuerySet[Notice]:
    """The notices a publisher sees on their management page (the same rules as one query)."""
    notices = Notice.objects.select_related("region")
    if has_role(user, Role.PLATFORM_ADMIN):
        return notices
    if has_role(user, Role.CENTRE_STAFF) and user.organisation_id:
        return notices.filter(region_id=user.organisation.region_id)
    if has_role(user, *BUYER_ROLES) and user.organisation_id:
        org = user.organisation_id
        return notices.filter(Q(project__owner_id=org) | Q(project__agency_id=org))
    return notices.none()
