"""Who may see and do what with experts and draws. One condition per line.

The rule that matters most: before two officials release a draw at the evaluation start, no page and no
endpoint shows anyone which experts were drawn — not staff, not supervisors, not the administrator.
An expert sees only their own invitations. The pool itself (names, employers; ID numbers masked) is read
by the centre and supervisors; nothing in it tells who sits on which committee.
"""

from __future__ import annotations

from typing import Any

from yangguang.accounts.access import SUPERVISORY_ROLES, has_role
from yangguang.accounts.states import Role
from yangguang.projects.access import project_visible

from .models import Draw, DrawRequest, Expert

POOL_READERS = frozenset({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES})
POOL_MANAGERS = frozenset({Role.CENTRE_STAFF})
DRAW_READERS = frozenset({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES})
DRAW_OPERATORS = frozenset({Role.CENTRE_STAFF})
RELEASERS = frozenset({Role.CENTRE_STAFF, Role.DEPARTMENT_SUPERVISOR, Role.COMMITTEE_OFFICE,
                       Role.DISCIPLINE_INSPECTION})
RATERS = frozenset({Role.CENTRE_STAFF, Role.DEPARTMENT_SUPERVISOR, Role.COMMITTEE_OFFICE})


def expert_visible(user: Any, expert: Expert) -> bool:
    if has_role(user, Role.EXPERT) and expert.user_id == user.pk:
        return True
    return has_role(user, *POOL_READERS)


def draw_request_visible(user: Any, request: DrawRequest) -> bool:
    if not has_role(user, *DRAW_READERS):
        return False
    return project_visible(user, request.project)


def draw_operable(user: Any, request: DrawRequest) -> bool:
    if not has_role(user, *DRAW_OPERATORS):
        return False
    return project_visible(user, request.project)


def draw_names_visible(user: Any, draw: Draw | None) -> bool:
    """Drawn names: only after the two-official release, only to the draw's readers."""
    if draw is None:
        return False
    if draw.released_at is None:
        return False
    return draw_request_visible(user, draw.request)


def draw_releasable_by(user: Any, request: DrawRequest) -> bool:
    if not has_role(user, *RELEASERS):
        return False
    if user.organisation_id is None:
        return False
    return project_visible(user, request.project)
