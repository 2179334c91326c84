"""Helpers shared by the tendering services."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from yangguang.core.errors import PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append

from ..access import procedure_manageable
from ..models import (
    Procedure,
)

MAX_LOTS = 50
MAX_CRITERIA = 40


# --- helpers ----------------------------------------------------------------------------------------------


def _sealed(action: str, token: str, salt: str, *parts: Any) -> None:
    """An event that proves a secret record existed without saying whose or for which lot (see module doc)."""
    digest = hashlib.sha256("|".join([token, *map(str, parts), salt]).encode()).hexdigest()
    event_append(action=action, actor="bidder", object_type=action.rsplit(".", 1)[0], object_id=token,
                 payload={"commitment": digest})


def _optional_decimal(value: Any, field_name: str) -> Decimal | None:
    return None if value in (None, "") else _decimal(value, field_name)


def _decimal(value: Any, field_name: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter an amount in yuan, e.g. 1200000.00."), code="invalid_amount",
                               field=field_name) from None
    if number < 0 or number >= Decimal("1e14"):
        raise ValidationFailed(_("The amount is out of range."), code="invalid_amount", field=field_name)
    return number


def _lock(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update().select_related("project", "project__centre",
                                                                "project__region").get(pk=procedure.pk)


def _require_manager(actor: Any, procedure: Procedure) -> None:
    if not procedure_manageable(actor, procedure):
        raise PermissionDenied(_("Only the purchaser and its agency may change this procedure."))


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _when(moment: dt.datetime | None) -> str:
    from yangguang.core.deadlines import SHANGHAI

    return "—" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
