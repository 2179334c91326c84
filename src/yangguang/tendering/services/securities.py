"""Bid securities: bank notifications, electronic guarantees, the same-account flag, refunds."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yangguang.accounts.models import Organisation
from yangguang.core.dbclock import db_now
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append

from ..access import own_organisation, procedure_holdable, procedure_manageable
from ..banknotify import bank_signature_valid
from ..models import (
    BidSecurity,
    Lot,
    Registration,
)
from ..states import (
    SECRET_STATUSES,
    ProcedureStatus,
    SecurityKind,
)
from ._common import (
    _decimal,
    _lock,
    _money,
    _sealed,
)

# --- bid securities ---------------------------------------------------------------------------------------


def _same_account_check(lot: Lot, organisation_id: int, payer_account: str) -> bool:
    """Flag (both sides) when another bidder of the procedure paid from the same account (TBLR 第40条(六))."""
    if not payer_account:
        return False
    others = BidSecurity.objects.filter(lot__procedure_id=lot.procedure_id, payer_account=payer_account).exclude(
        organisation_id=organisation_id)
    if others.exists():
        others.update(same_account_flag=True)
        return True
    return False


def security_bank_notify(*, body: bytes, signature: str) -> BidSecurity:
    """A bank's signed notification of a payment into the centre's sub-account (see :mod:`.banknotify`)."""
    try:
        data = json.loads(body.decode("utf-8"))
        centre = str(data["centre"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ValidationFailed(_("The notification is not valid JSON with a centre code."), code="invalid_body",
                               field="body") from None
    if not bank_signature_valid(body, signature, centre):
        raise PermissionDenied(_("The notification's signature does not verify."))
    try:
        reference = str(data["notification_id"]).strip()[:80]
        lot = Lot.objects.select_related("procedure__project__centre").get(pk=int(data["lot_id"]))
        amount = _decimal(data["amount"], "amount")
        received = dt.datetime.fromisoformat(str(data["received_at"]))
        account = str(data.get("payer_account", "")).strip()[:40]
        credit_code = str(data["payer_credit_code"]).strip().upper()
    except (KeyError, ValueError, TypeError, Lot.DoesNotExist):
        raise ValidationFailed(_("The notification lacks a field or has an invalid one."), code="invalid_body",
                               field="body") from None
    if lot.procedure.project.centre.code != centre:
        raise ValidationFailed(_("The lot does not belong to this centre."), code="wrong_centre", field="lot_id")
    organisation = Organisation.objects.filter(credit_code=credit_code).first()
    if organisation is None:
        raise ValidationFailed(_("No supplier with this credit code."), code="unknown_payer",
                               field="payer_credit_code")
    existing = BidSecurity.objects.filter(kind=SecurityKind.BANK_TRANSFER, reference=reference).first()
    if existing is not None:
        return existing
    return _security_add(lot=lot, organisation=organisation, kind=SecurityKind.BANK_TRANSFER, amount=amount,
                         reference=reference, payer_account=account, issuer="", received_at=received)


def security_guarantee_record(*, actor: Any, lot: Lot, guarantee_number: str, issuer: str, amount: Any
                              ) -> BidSecurity:
    """An electronic guarantee (电子保函) the supplier obtained for a lot."""
    org_id = own_organisation(actor)
    if org_id is None:
        raise PermissionDenied(_("Only suppliers record their guarantees."))
    if not Registration.objects.filter(lot=lot, organisation_id=org_id).exists():
        raise PermissionDenied(_("Register for the lot first."))
    number, issuer = (guarantee_number or "").strip()[:80], (issuer or "").strip()[:120]
    if not number or not issuer:
        raise ValidationFailed(_("Enter the guarantee number and the issuing institution."), code="required",
                               field="guarantee_number")
    return _security_add(lot=lot, organisation=Organisation.objects.get(pk=org_id),
                         kind=SecurityKind.ELECTRONIC_GUARANTEE, amount=_decimal(amount, "amount"),
                         reference=number, payer_account="", issuer=issuer, received_at=None)


def _security_add(*, lot: Lot, organisation: Organisation, kind: str, amount: Any, reference: str,
                  payer_account: str, issuer: str, received_at: dt.datetime | None) -> BidSecurity:
    with transaction.atomic():
        procedure = _lock(lot.procedure)
        now = db_now()
        if procedure.status != ProcedureStatus.PUBLISHED or (
                procedure.effective_bid_deadline and now >= procedure.effective_bid_deadline):
            raise IllegalTransition(_("Bid securities are accepted only until the bid deadline."))
        if amount < lot.bid_security:
            raise ValidationFailed(_("The security is less than the amount the documents require (%(amount)s yuan).")
                                   % {"amount": _money(lot.bid_security)}, code="security_too_small", field="amount")
        flagged = _same_account_check(lot, organisation.pk, payer_account)
        try:
            with transaction.atomic():
                security = BidSecurity.objects.create(
                    lot=lot, organisation=organisation, kind=kind, amount=amount, reference=reference,
                    payer_account=payer_account, issuer=issuer, received_at=received_at or now,
                    same_account_flag=flagged, token=secrets.token_hex(16), salt=secrets.token_hex(16))
        except IntegrityError:
            raise ValidationFailed(_("This guarantee or payment is already recorded."), code="duplicate",
                                   field="guarantee_number") from None
        _sealed("tendering.security.received", security.token, security.salt, lot.pk, organisation.pk,
                kind, amount)
    return security


def security_refund(*, actor: Any, security: BidSecurity, reference: str) -> BidSecurity:
    """Record the refund of a security (after award, failure or termination; the award is a later issue)."""
    procedure = security.lot.procedure
    if not (procedure_manageable(actor, procedure) or procedure_holdable(actor, procedure)):
        raise PermissionDenied(_("Only the purchaser side and the centre record refunds."))
    if procedure.status in SECRET_STATUSES:
        raise IllegalTransition(_("Securities are refunded after the bid deadline."))
    if not (reference or "").strip():
        raise ValidationFailed(_("Enter the refund's bank reference."), code="required", field="reference")
    with transaction.atomic():
        locked = BidSecurity.objects.select_for_update().get(pk=security.pk)
        if locked.refunded_at is not None:
            raise IllegalTransition(_("This security is already refunded."))
        locked.refunded_at = db_now()
        locked.refund_reference = reference.strip()[:80]
        locked.save(update_fields=["refunded_at", "refund_reference"])
        event_append(action="tendering.security.refunded", actor=actor, object_type="tendering.security",
                     object_id=locked.token, payload={"procedure": procedure.pk})
    return locked
