"""``GET /api/v1/funding-check?project=<code>`` — mounted by ``yangguang/api.py`` as
``api.add_router("/funding-check", funding_router)``.

Finance systems authenticate with an API key of scope ``funding_check`` (``Authorization: Bearer <key>`` or
``X-Api-Key: <key>``); signed-in finance, committee office, audit, discipline inspection and administrator
users may use their session. Every call is logged (:class:`~yangguang.projects.models.FundingCheck`)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import django_auth

from yangguang.accounts.access import api_require
from yangguang.accounts.apikey_models import Scope
from yangguang.accounts.apikeys import ApiKeyAuth
from yangguang.core.errors import ValidationFailed

from .funding import funding_check
from .musttrade_access import FUNDING_ROLES

funding_router = Router(tags=["funding check"])


class FundingOut(Schema):
    project: str
    decision: str
    basis: str
    reason: str


@funding_router.get("", response=FundingOut, auth=[ApiKeyAuth(Scope.FUNDING_CHECK), django_auth],
                    summary="May project funds be paid? allow | pending | deny, with the basis and the reason")
def funding_check_api(request: HttpRequest, project: str = "") -> dict[str, str]:
    api_key = getattr(request, "api_key", None)
    user = None if api_key is not None else api_require(request, *FUNDING_ROLES)
    if not project.strip():
        raise ValidationFailed(_("Give the project code: ?project=<code>."), code="required", field="project")
    if len(project) > 60:
        raise ValidationFailed(_("That is not a project code."), code="invalid", field="project")
    return funding_check(code=project, user=user, api_key=api_key).as_dict()
