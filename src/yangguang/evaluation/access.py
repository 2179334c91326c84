"""Who may see and do what in an evaluation. One condition per line.

The secrets here: a member's scores (nobody but the member — not staff, the chair, other members,
supervisors or the administrator — reads them before the member submits), revised quotes of a negotiation
round (nobody but the bidder until the round closes), and the committee's names (not shown to bidders).
Score and quote reads go through :mod:`.selectors`, which apply these rules row by row.
"""

from __future__ import annotations

from typing import Any

from yangguang.accounts.access import SUPERVISORY_ROLES, has_role, visible_region_ids
from yangguang.accounts.states import Role

from .models import Evaluation, Member
from .states import MemberState

BUYERS = frozenset({Role.PURCHASER, Role.AGENCY})
ORGANISERS = frozenset({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN})
READER_ROLES = frozenset({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, Role.PURCHASER, Role.AGENCY, Role.EXPERT,
                          *SUPERVISORY_ROLES})


def _project(evaluation: Evaluation) -> Any:
    return evaluation.procedure.project


def is_buyer(user: Any, evaluation: Evaluation) -> bool:
    if not has_role(user, *BUYERS):
        return False
    if user.organisation_id is None:
        return False
    project = _project(evaluation)
    return user.organisation_id in (project.owner_id, project.agency_id)


def is_organiser(user: Any, evaluation: Evaluation) -> bool:
    """The centre's staff who run the evaluation room (and the platform administrator)."""
    if has_role(user, Role.PLATFORM_ADMIN):
        return True
    if not has_role(user, Role.CENTRE_STAFF):
        return False
    if user.organisation_id is None:
        return False
    return user.organisation.region_id == _project(evaluation).centre.region_id


def is_supervisor(user: Any, evaluation: Evaluation) -> bool:
    if not has_role(user, *SUPERVISORY_ROLES):
        return False
    return _project(evaluation).region_id in (visible_region_ids(user) or set())


def member_of(user: Any, evaluation: Evaluation) -> Member | None:
    """The user's seat on the committee (seated or replaced), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not has_role(user, Role.EXPERT, Role.PURCHASER):
        return None
    return Member.objects.filter(evaluation=evaluation, user=user).order_by("-pk").first()


def seated_member(user: Any, evaluation: Evaluation) -> Member | None:
    member = member_of(user, evaluation)
    if member is None or member.state != MemberState.SEATED:
        return None
    return member


def evaluation_visible(user: Any, evaluation: Evaluation) -> bool:
    """The evaluation room overview: organisers, the buyer side, supervisors and the committee's members."""
    if is_organiser(user, evaluation):
        return True
    if is_buyer(user, evaluation):
        return True
    if is_supervisor(user, evaluation):
        return True
    return member_of(user, evaluation) is not None


def tenderer_of(user: Any, evaluation: Evaluation) -> Any:
    """The bid of the user's own organisation in this evaluation (a supplier sees its own result only)."""
    if not has_role(user, Role.SUPPLIER):
        return None
    if user.organisation_id is None:
        return None
    return evaluation.tenderers.filter(organisation_id=user.organisation_id).first()
