"""Writes for organisations and users."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yangguang.core.errors import ValidationFailed
from yangguang.core.eventlog import event_append

from .models import Organisation, Region, User
from .states import ROLES_BY_KIND, OrganisationKind


def organisation_create(*, actor: Any, name: str, kind: str, region: Region, credit_code: str = "",
                        domains: list[str] | None = None, contact_name: str = "",
                        contact_phone: str = "") -> Organisation:
    if kind not in OrganisationKind.values:
        raise ValidationFailed(_("Unknown organisation kind."), field="kind")
    if credit_code and Organisation.objects.filter(credit_code=credit_code).exists():
        raise ValidationFailed(_("An organisation with this credit code is already registered."),
                               code="duplicate_credit_code", field="credit_code")
    with transaction.atomic():
        org = Organisation.objects.create(name=name, kind=kind, region=region, credit_code=credit_code,
                                          domains=domains or [], contact_name=contact_name,
                                          contact_phone=contact_phone)
        event_append(action="accounts.organisation.created", actor=actor, obj=org,
                     payload={"kind": kind, "region": region.code, "domains": org.domains})
    return org


def user_create(*, actor: Any, username: str, password: str, organisation: Organisation | None, role: str,
                display_name: str = "", email: str = "", phone: str = "", is_active: bool = True) -> User:
    if organisation is not None and role not in ROLES_BY_KIND.get(organisation.kind, set()):
        raise ValidationFailed(
            _("A member of a %(kind)s cannot hold this role.") % {"kind": organisation.get_kind_display()},
            field="role",
        )
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("This user name is taken."), code="duplicate_username", field="username")
    with transaction.atomic():
        user = User(username=username, organisation=organisation, role=role, display_name=display_name,
                    email=email, phone=phone, is_active=is_active)
        user.set_password(password)
        user.save()
        # The log is public: no names or contact data, only the role and organisation.
        event_append(action="accounts.user.created", actor=actor, obj=user,
                     payload={"role": role, "organisation": organisation.pk if organisation else None})
    return user


def user_deactivate(*, actor: Any, user: User, reason: str) -> User:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        event_append(action="accounts.user.deactivated", actor=actor, obj=locked, payload={"reason": reason})
    return locked
