"""Every write to the supplier pool: registration, review, qualifications, blacklist and the chronograph step.

Each function checks the step, locks the rows it changes, changes them and appends one event in the same
transaction. Payloads carry ids and codes only: the log is public and who registered is confidential, so
not even the organisation's name or credit code is written there.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yangguang.accounts.models import Organisation, Region, User
from yangguang.accounts.services import organisation_create, user_create
from yangguang.accounts.states import OrganisationKind, Role
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import SHANGHAI
from yangguang.core.errors import IllegalTransition, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.core.storage import file_store

from .credit_code import credit_code_validate
from .models import BlacklistEntry, Qualification, SupplierProfile
from .states import (
    STEP_APPROVE,
    STEP_REINSTATE,
    STEP_RESUBMIT,
    STEP_RETURN,
    STEP_SUSPEND,
    TRANSITIONS,
    CreditStatus,
    SupplierStatus,
    SupplyClass,
)


def _duplicate_message() -> str:
    return _("A supplier with this unified social credit code is already registered. If it is your company, "
             "sign in with its existing account or ask the trading centre for help.")


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("Enter the %(label)s.") % {"label": label}, code="required", field=field)
    return value


def _classes(classes: list[str], primary_class: str = "") -> tuple[list[str], str]:
    chosen = [c for c in SupplyClass.values if c in set(classes or [])]
    unknown = set(classes or []) - set(SupplyClass.values)
    if unknown or not chosen:
        raise ValidationFailed(_("Choose at least one supply class: goods, works or services."),
                               code="classes_invalid", field="classes")
    primary = primary_class or chosen[0]
    if primary not in chosen:
        raise ValidationFailed(_("The main supply class must be one of the chosen classes."),
                               code="primary_class_invalid", field="primary_class")
    return chosen, primary


def _capital(value: Any) -> Decimal:
    try:
        capital = Decimal(str(value))
    except (ArithmeticError, ValueError):
        capital = Decimal(-1)
    if not capital.is_finite() or capital < 0 or capital >= Decimal("1e12"):
        raise ValidationFailed(_("Enter the registered capital as a number of 10,000 yuan."),
                               code="capital_invalid", field="registered_capital")
    return capital.quantize(Decimal("0.01"))


def supplier_register(*, actor: Any, name: str, credit_code: str, region: Region, classes: list[str],
                      legal_representative: str, registered_capital: Any, address: str, business_scope: str,
                      username: str, password: str, contact_name: str = "", contact_phone: str = "",
                      primary_class: str = "", idempotency_key: str = "") -> SupplierProfile:
    """Public self-registration: the organisation, its first user (role supplier) and the profile, submitted
    for review. A retry with the same idempotency key returns the first result instead of a duplicate error."""
    idempotency_key = (idempotency_key or "").strip()[:100]
    code = credit_code_validate(credit_code)
    if idempotency_key:
        earlier = SupplierProfile.objects.select_related("organisation").filter(
            idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.organisation.credit_code != code:
                raise ValidationFailed(_("This idempotency key was already used for another registration."),
                                       code="idempotency_key_reused", field="idempotency_key")
            return earlier
    name = _required(name, "name", _("company name"))
    chosen, primary = _classes(classes, primary_class)
    legal_representative = _required(legal_representative, "legal_representative", _("legal representative"))
    capital = _capital(registered_capital)
    address = _required(address, "address", _("address"))
    business_scope = _required(business_scope, "business_scope", _("business scope"))
    username = _required(username, "username", _("user name"))
    try:
        validate_password(password, User(username=username))
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="password_invalid", field="password") from exc
    if Organisation.objects.filter(credit_code=code).exists():
        raise ValidationFailed(_duplicate_message(), code="duplicate_credit_code", field="credit_code")
    try:
        with transaction.atomic():
            organisation = organisation_create(actor=actor, name=name, kind=OrganisationKind.SUPPLIER,
                                               region=region, credit_code=code, contact_name=contact_name,
                                               contact_phone=contact_phone)
            user = user_create(actor=actor, username=username, password=password, organisation=organisation,
                               role=Role.SUPPLIER, display_name=contact_name, phone=contact_phone)
            profile = SupplierProfile.objects.create(
                organisation=organisation, primary_class=primary, classes=chosen,
                legal_representative=legal_representative, registered_capital=capital, address=address,
                business_scope=business_scope, status=SupplierStatus.SUBMITTED, submitted_at=db_now(),
                idempotency_key=idempotency_key,
            )
            event_append(action="suppliers.supplier.registered", actor=actor, obj=profile,
                         payload={"organisation": organisation.pk, "user": user.pk, "classes": chosen,
                                  "region": region.code, "status": profile.status})
    except IntegrityError as exc:
        # Two registrations of one code raced past the check above; the unique constraint decided.
        raise ValidationFailed(_duplicate_message(), code="duplicate_credit_code", field="credit_code") from exc
    return profile


def _locked(profile: SupplierProfile) -> SupplierProfile:
    return SupplierProfile.objects.select_for_update().select_related("organisation").get(pk=profile.pk)


def supplier_resubmit(*, actor: Any, profile: SupplierProfile, changes: dict[str, Any] | None = None
                      ) -> SupplierProfile:
    """The supplier corrects a returned registration and submits it again."""
    changes = dict(changes or {})
    with transaction.atomic():
        locked = _locked(profile)
        locked.status = TRANSITIONS.target(STEP_RESUBMIT, locked.status)
        if "classes" in changes:
            locked.classes, locked.primary_class = _classes(changes["classes"], changes.get("primary_class", ""))
        for field, label in (("legal_representative", _("legal representative")), ("address", _("address")),
                             ("business_scope", _("business scope"))):
            if field in changes:
                setattr(locked, field, _required(changes[field], field, label))
        if "registered_capital" in changes:
            locked.registered_capital = _capital(changes["registered_capital"])
        locked.submitted_at = db_now()
        locked.save()
        event_append(action="suppliers.supplier.resubmitted", actor=actor, obj=locked,
                     payload={"status": locked.status, "classes": locked.classes})
    return locked


def _review(*, step: str, verb: str, actor: Any, profile: SupplierProfile, reason: str,
            reason_required: bool) -> SupplierProfile:
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationFailed(_("Give a reason; the supplier will see it."), code="reason_required",
                               field="reason")
    with transaction.atomic():
        locked = _locked(profile)
        previous = locked.status
        locked.status = TRANSITIONS.target(step, locked.status)
        locked.review_reason = reason
        locked.reviewed_by = actor if isinstance(actor, User) else None
        locked.reviewed_at = db_now()
        locked.save()
        event_append(action=f"suppliers.supplier.{verb}", actor=actor, obj=locked,
                     payload={"from": previous, "to": locked.status})
    return locked


def supplier_approve(*, actor: Any, profile: SupplierProfile, reason: str = "") -> SupplierProfile:
    return _review(step=STEP_APPROVE, verb="approved", actor=actor, profile=profile, reason=reason,
                   reason_required=False)


def supplier_return(*, actor: Any, profile: SupplierProfile, reason: str) -> SupplierProfile:
    return _review(step=STEP_RETURN, verb="returned", actor=actor, profile=profile, reason=reason,
                   reason_required=True)


def supplier_suspend(*, actor: Any, profile: SupplierProfile, reason: str) -> SupplierProfile:
    return _review(step=STEP_SUSPEND, verb="suspended", actor=actor, profile=profile, reason=reason,
                   reason_required=True)


def supplier_reinstate(*, actor: Any, profile: SupplierProfile, reason: str = "") -> SupplierProfile:
    return _review(step=STEP_REINSTATE, verb="reinstated", actor=actor, profile=profile, reason=reason,
                   reason_required=False)


def _expiry_moment(valid_until: dt.date) -> dt.datetime:
    """A qualification valid until a day is valid to the end of that day, Beijing time."""
    return dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time(0, 0), tzinfo=SHANGHAI)


def _next_check(profile: SupplierProfile) -> dt.datetime | None:
    """A pure function of the supplier's rows: the next blacklist end or qualification expiry."""
    moments: list[dt.datetime] = list(
        BlacklistEntry.objects.filter(supplier=profile, lifted_at__isnull=True).values_list("ends_at", flat=True))
    moments += [_expiry_moment(day) for day in Qualification.objects.filter(
        supplier=profile, expired_at__isnull=True).values_list("valid_until", flat=True)]
    return min(moments) if moments else None


def _refresh_credit(profile: SupplierProfile, now: dt.datetime) -> None:
    active = BlacklistEntry.objects.filter(supplier=profile, lifted_at__isnull=True, starts_at__lte=now,
                                           ends_at__gt=now).exists()
    profile.credit_status = CreditStatus.BLACKLISTED if active else CreditStatus.GOOD
    profile.next_check_at = _next_check(profile)


def qualification_add(*, actor: Any, profile: SupplierProfile, name: str, certificate_number: str, issuer: str,
                      valid_until: dt.date, upload: File, expected_sha256: str | None = None) -> Qualification:
    name = _required(name, "name", _("qualification name"))
    certificate_number = _required(certificate_number, "certificate_number", _("certificate number"))
    issuer = _required(issuer, "issuer", _("issuing authority"))
    if valid_until is None:
        raise ValidationFailed(_("Enter the date until which the certificate is valid."), code="required",
                               field="valid_until")
    now = db_now()
    if _expiry_moment(valid_until) <= now:
        raise ValidationFailed(_("This certificate has already expired."), code="qualification_expired",
                               field="valid_until")
    stored = file_store(upload, expected_sha256=expected_sha256, folder="suppliers/qualifications")
    with transaction.atomic():
        locked = _locked(profile)
        qualification = Qualification.objects.create(
            supplier=locked, name=name, certificate_number=certificate_number, issuer=issuer,
            valid_until=valid_until, document_path=stored.path, document_sha256=stored.sha256)
        locked.next_check_at = _next_check(locked)
        locked.save(update_fields=["next_check_at"])
        event_append(action="suppliers.qualification.added", actor=actor, obj=qualification,
                     payload={"supplier": locked.pk, "valid_until": valid_until.isoformat(),
                              "document_sha256": stored.sha256})
    return qualification


def supplier_blacklist(*, actor: Any, profile: SupplierProfile, ends_on: dt.date, reason: str,
                       starts_at: dt.datetime | None = None) -> BlacklistEntry:
    """Blacklist a supplier from now (or ``starts_at``) to the end of ``ends_on``, Beijing time."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason and the decision it rests on."), code="reason_required",
                               field="reason")
    now = db_now()
    start = starts_at or now
    end = _expiry_moment(ends_on) if ends_on else None
    if end is None or end <= max(start, now):
        raise ValidationFailed(_("The end of the blacklist period must be after today."), code="period_invalid",
                               field="ends_on")
    with transaction.atomic():
        locked = _locked(profile)
        entry = BlacklistEntry.objects.create(supplier=locked, starts_at=start, ends_at=end, reason=reason,
                                              decided_by=actor if isinstance(actor, User) else None)
        _refresh_credit(locked, now)
        locked.save(update_fields=["credit_status", "next_check_at"])
        event_append(action="suppliers.blacklist.added", actor=actor, obj=entry,
                     payload={"supplier": locked.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat(),
                              "credit_status": locked.credit_status})
    return entry


def blacklist_lift(*, actor: Any, entry: BlacklistEntry, reason: str) -> BlacklistEntry:
    """End a blacklist period early (for instance after an administrative reconsideration)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for lifting the blacklisting."), code="reason_required",
                               field="reason")
    with transaction.atomic():
        locked = _locked(entry.supplier)
        current = BlacklistEntry.objects.select_for_update().get(pk=entry.pk)
        if current.lifted_at is not None:
            raise IllegalTransition(_("This blacklist period has already ended."))
        now = db_now()
        current.lifted_at = now
        current.lift_reason = reason
        current.save(update_fields=["lifted_at", "lift_reason"])
        _refresh_credit(locked, now)
        locked.save(update_fields=["credit_status", "next_check_at"])
        event_append(action="suppliers.blacklist.lifted", actor=actor, obj=current,
                     payload={"supplier": locked.pk, "credit_status": locked.credit_status})
    return current


def supplier_check_due(profile: SupplierProfile, now: dt.datetime) -> None:
    """Chronograph step (runs in the claiming transaction with the row locked): end every blacklist period
    whose end has passed and flag every qualification that has expired, then schedule the next check."""
    for entry in BlacklistEntry.objects.select_for_update().filter(supplier=profile, lifted_at__isnull=True,
                                                                   ends_at__lte=now).order_by("pk"):
        entry.lifted_at = entry.ends_at
        entry.save(update_fields=["lifted_at"])
        event_append(action="suppliers.blacklist.ended", actor="chronograph", obj=entry,
                     payload={"supplier": profile.pk, "ends_at": entry.ends_at.isoformat()})
    for qualification in Qualification.objects.select_for_update().filter(supplier=profile,
                                                                          expired_at__isnull=True).order_by("pk"):
        if _expiry_moment(qualification.valid_until) > now:
            continue
        qualification.expired_at = now
        qualification.save(update_fields=["expired_at"])
        event_append(action="suppliers.qualification.expired", actor="chronograph", obj=qualification,
                     payload={"supplier": profile.pk, "valid_until": qualification.valid_until.isoformat()})
    previous = profile.credit_status
    _refresh_credit(profile, now)
    profile.save(update_fields=["credit_status", "next_check_at"])
    if previous != profile.credit_status:
        event_append(action="suppliers.supplier.credit_changed", actor="chronograph", obj=profile,
                     payload={"from": previous, "to": profile.credit_status})
