from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from .access import api_require
from .states import Role

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    organisation: str | None
    region: str | None


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest) -> dict:
    user = api_require(request, *Role.values)
    return {
        "id": user.pk, "username": user.username, "display_name": user.display_name, "role": user.role,
        "organisation": user.organisation.name if user.organisation_id else None,
        "region": user.organisation.region.code if user.organisation_id else None,
    }
