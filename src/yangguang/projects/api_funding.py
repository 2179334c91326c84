"""``GET /api/v1/funding-check?project=<code>`` — mounted by ``yangguang/api.py`` as
``api.add_router("/funding-check", funding_router)``.

Finance systems authenticate with an API key of scope ``funding_check`` (``Authorization: Bearer <key>`` or
``X-Api-Key: <key>``); signed-in finance, committee office, audit, discipline inspection and administrator
users may use their session. Every call is logged (:class:`~yangguang.projects.models.FundingCheck`)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.db.models.signals import post_save
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import django_auth

from yangguang.accounts.access import api_require
from yangguang.accounts.apikey_models import ApiKey, Scope
from yangguang.accounts.apikeys import ApiKeyAuth
from yangguang.core.errors import ValidationFailed

from .funding import funding_check
from .musttrade_access import FUNDING_ROLES

funding_router = Router(tags=["funding check"])

KEY_CACHE_SECONDS = 5.0
_KEY_CACHE_MAX = 256
_key_cache: dict[str, tuple[float, ApiKey]] = {}


def _key_cache_clear(**_kwargs: Any) -> None:
    _key_cache.clear()


# Any change to a key row (revocation above all) empties the cache of this process.
post_save.connect(_key_cache_clear, sender=ApiKey, dispatch_uid="projects.funding_key_cache")


class FundingKeyAuth(ApiKeyAuth):
    """:class:`ApiKeyAuth` for the funding check, with the short per-process cache described above."""

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        if not key:
            return None
        digest = hashlib.sha256(f"{self.scope}:{key.strip()}".encode()).hexdigest()
        now = time.monotonic()
        cached = _key_cache.get(digest)
        if cached is not None and cached[0] > now:
            request.api_key = cached[1]  # type: ignore[attr-defined]
            return cached[1]
        row = super().authenticate(request, key)
        if row is not None:
            if len(_key_cache) >= _KEY_CACHE_MAX:
                _key_cache.clear()
            _key_cache[digest] = (now + KEY_CACHE_SECONDS, row)
        return row


class FundingOut(Schema):
    project: str
    decision: str
    basis: str
    reason: str


@funding_router.get("", response=FundingOut, auth=[FundingKeyAuth(Scope.FUNDING_CHECK), django_auth],
                    summary="May project funds be paid? allow | pending | deny, with the basis and the reason")
def funding_check_api(request: HttpRequest, project: str = "") -> dict[str, str]:
    api_key = getattr(request, "api_key", None)
    user = None if api_key is not None else api_require(request, *FUNDING_ROLES)
    if not project.strip():
        raise ValidationFailed(_("Give the project code: ?project=<code>."), code="required", field="project")
    if len(project) > 60:
        raise ValidationFailed(_("That is not a project code."), code="invalid", field="project")
    return funding_check(code=project, user=user, api_key=api_key).as_dict()
