"""Who may see and do what, from role, organisation and region. One condition per line.

Every view and API endpoint of every app asks here (or in its own app's ``access.py``, built on these).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from yangguang.core.errors import PermissionDenied

from .states import Role

# Roles that oversee rather than trade: they read everything in their region tree.
SUPERVISORY_ROLES = frozenset({
    Role.COMMITTEE_OFFICE, Role.DEPARTMENT_SUPERVISOR, Role.DISCIPLINE_INSPECTION, Role.AUDIT, Role.FINANCE,
})
STAFF_ROLES = frozenset({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN})
BUYER_ROLES = frozenset({Role.PURCHASER, Role.AGENCY})


def has_role(user: Any, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    return user.role in roles


def visible_region_ids(user: Any) -> set[int] | None:
    """Regions whose projects and records the user may read; None means every region."""
    if has_role(user, Role.PLATFORM_ADMIN):
        return None
    if user.organisation_id is None:
        return set()
    region = user.organisation.region
    if has_role(user, Role.CENTRE_STAFF):
        return {region.pk}  # staff see their own centre only
    if has_role(user, *SUPERVISORY_ROLES):
        return set(region.descendant_ids())  # city supervisors see the whole tree
    return set()


def region_visible(user: Any, region_id: int) -> bool:
    regions = visible_region_ids(user)
    return regions is None or region_id in regions


def role_required(*roles: str) -> Callable:
    """View decorator: anonymous users go to the login page, signed-in users of other roles get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                return forbidden(request)
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    return render(request, "accounts/forbidden.html",
                  {"message": message or _("Your role does not give access to this page.")}, status=403)


def api_require(request: HttpRequest, *roles: str) -> Any:
    """For API endpoints: the signed-in user if their role is one of ``roles``, else 401/403."""
    from ninja.errors import AuthenticationError

    user = request.user
    if not user.is_authenticated:
        raise AuthenticationError()
    if not has_role(user, *roles):
        raise PermissionDenied(_("Your role does not give access to this operation."))
    return user
