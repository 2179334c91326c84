"""Who may read and who may change the trading catalogue. One condition per line."""

from __future__ import annotations

from typing import Any

from yangguang.accounts.access import SUPERVISORY_ROLES, has_role, region_visible
from yangguang.accounts.states import Role

from .models import CatalogueVersion
from .states import VersionStatus

# The committee office keeps the catalogue (交易目录由管委办编制); staff and supervisors consult it.
EDIT_ROLES = frozenset({Role.COMMITTEE_OFFICE})
READ_ROLES = frozenset({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN} | set(SUPERVISORY_ROLES))


def catalogue_editor(user: Any) -> bool:
    return has_role(user, *EDIT_ROLES)


def version_editable(user: Any, version: CatalogueVersion) -> bool:
    if not catalogue_editor(user):
        return False
    if version.status != VersionStatus.DRAFT:
        return False
    return region_visible(user, version.region_id)


def version_manageable(user: Any, version: CatalogueVersion) -> bool:
    """May copy this version to a new draft or (for a draft) put it in force."""
    if not catalogue_editor(user):
        return False
    return region_visible(user, version.region_id)
