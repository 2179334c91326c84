"""API keys for external systems (finance payment systems, departments' project-list feeds).

A key belongs to an organisation and carries scopes. Only the SHA-256 of the key is stored; the key itself
is shown once, when it is issued. A key is ``ygk_<prefix>_<secret>``: the 8-hex-digit prefix finds the row
(indexed), the hash of the whole key is compared in constant time. A key of 256 random bits needs no slow
password hash: nobody can guess it, and the hash only keeps a copied database from yielding usable keys.

Clients send it as ``Authorization: Bearer <key>`` or ``X-Api-Key: <key>``; :class:`ApiKeyAuth` is the
django-ninja security class an endpoint lists in ``auth=[...]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja.security.apikey import APIKeyHeader

from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append

from .access import has_role
from .apikey_models import KEY_PREFIX, LAST_USED_RESOLUTION, SCOPE_KINDS, ApiKey, Scope
from .states import Role


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def apikey_issue(*, actor: Any, organisation: Any, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """A platform administrator issues a key; returns the row and the key, which is never shown again."""
    if not has_role(actor, Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only a platform administrator may issue API keys."))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name the key (for example, the system that will use it)."), code="required",
                               field="name")
    scopes = sorted(set(scopes or []))
    if not scopes:
        raise ValidationFailed(_("Choose at least one scope."), code="required", field="scopes")
    for scope in scopes:
        if scope not in Scope.values:
            raise ValidationFailed(_("Unknown scope."), code="invalid_scope", field="scopes")
        if organisation.kind not in SCOPE_KINDS[scope]:
            raise ValidationFailed(
                _("A key with scope “%(scope)s” cannot be issued to this kind of organisation.")
                % {"scope": Scope(scope).label}, code="scope_not_for_organisation", field="scopes")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        row = ApiKey.objects.create(organisation=organisation, name=name[:80], prefix=prefix, key_hash=_hash(key),
                                    scopes=scopes, created_by=actor)
        event_append(action="accounts.apikey.issued", actor=actor, obj=row,
                     payload={"organisation": organisation.pk, "scopes": scopes})
    return row, key


def apikey_revoke(*, actor: Any, key: ApiKey) -> ApiKey:
    if not has_role(actor, Role.PLATFORM_ADMIN):
        raise PermissionDenied(_("Only a platform administrator may revoke API keys."))
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is not None:
            raise IllegalTransition(_("This key is already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        event_append(action="accounts.apikey.revoked", actor=actor, obj=locked,
                     payload={"organisation": locked.organisation_id})
    return locked


def apikey_authenticate(key: str | None, scope: str) -> ApiKey | None:
    """The active key with this scope, or None. One indexed query (plus a rare last-used update)."""
    if not key:
        return None
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 8:
        return None
    # Raw SQL: this runs on every call of a machine client (the funding check's hot path), and the ORM's
    # query compilation costs more than the query.
    table = ApiKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, organisation_id, key_hash, scopes, last_used_at FROM {table} "  # noqa: S608
                       "WHERE prefix = %s AND revoked_at IS NULL", [parts[1]])
        found = cursor.fetchone()
    if found is None or not hmac.compare_digest(found[2], _hash(key.strip())):
        return None
    scopes = json.loads(found[3]) if isinstance(found[3], str | bytes) else found[3]
    if scope not in scopes:
        return None
    row = ApiKey(pk=found[0], organisation_id=found[1], prefix=parts[1], key_hash=found[2], scopes=scopes)
    last_used = found[4]
    if isinstance(last_used, str):  # SQLite may hand back text
        last_used = parse_datetime(last_used)
    if last_used is not None and timezone.is_naive(last_used):  # SQLite stores UTC without an offset
        last_used = timezone.make_aware(last_used, dt.UTC)
    now = timezone.now()
    if last_used is None or now - last_used > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=now)
    row.last_used_at = last_used
    return row


def bearer_or_header(request: HttpRequest) -> str | None:
    header = request.headers.get("X-Api-Key")
    if header:
        return header
    authorization = request.headers.get("Authorization", "")
    scheme, _sep, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class ApiKeyAuth(APIKeyHeader):
    """``Authorization: Bearer <key>`` or ``X-Api-Key: <key>``, for one scope. Sets ``request.api_key``."""

    param_name = "X-Api-Key"

    def __init__(self, scope: str) -> None:
        self.scope = scope
        super().__init__()

    def _get_key(self, request: HttpRequest) -> str | None:
        return bearer_or_header(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        row = apikey_authenticate(key, self.scope)
        if row is not None:
            request.api_key = row  # type: ignore[attr-defined]
        return row


def keys_listed() -> list[ApiKey]:
    return list(ApiKey.objects.select_related("organisation", "created_by").order_by("-pk"))


def organisations_for_keys() -> Any:
    from .models import Organisation

    kinds = set().union(*SCOPE_KINDS.values())
    return Organisation.objects.filter(kind__in=kinds).order_by("kind", "name")
