from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .navigation import groups_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    sandbox = settings.YANGGUANG_SANDBOX
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.role:
        return {"nav_groups": [], "sandbox": sandbox}
    return {"nav_groups": groups_for(user.role), "sandbox": sandbox}
