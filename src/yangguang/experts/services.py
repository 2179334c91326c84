"""Every write to the expert pool and the draws.

Each function checks the step, locks what it changes, changes it and appends one event in the same
transaction. The log is public: payloads carry ids and codes only, and nothing in them links an expert to
an unreleased draw (invitation events name the slot, never the expert).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yangguang.accounts.access import has_role
from yangguang.accounts.models import Organisation, Region, User
from yangguang.accounts.services import user_create
from yangguang.accounts.states import Role
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import SHANGHAI
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.core.models import Event
from yangguang.projects.models import Project
from yangguang.suppliers.credit_code import credit_code_validate

from . import algorithm
from .channels import invitation_notify
from .id_number import id_number_validate
from .models import (
    Draw,
    DrawQuota,
    DrawRelease,
    DrawRequest,
    DrawSlot,
    Expert,
    ExpertRating,
    ExpertSpecialty,
    ServiceRecord,
    Specialty,
)
from .recusal import evaluation_day, pool_compute
from .states import (
    DRAW_TRANSITIONS,
    EXPERT_TRANSITIONS,
    SLOT_TRANSITIONS,
    STEP_ACCEPT,
    STEP_APPROVE,
    STEP_BLACKLIST,
    STEP_DECLINE,
    STEP_PUBLISH,
    STEP_REINSTATE,
    STEP_REJECT,
    STEP_RELEASE,
    STEP_RUN,
    STEP_SUSPEND,
    STEP_TIME_OUT,
    DrawStatus,
    ExpertStatus,
    RegionScope,
    SlotRole,
    SlotState,
    TitleLevel,
)

# No national figure exists (rules.md §3: local practice, ⚠U); a request may set its own.
DEFAULT_SERVED_WINDOW_DAYS = 90
DEFAULT_CONFIRM_WINDOW_MINUTES = 30
# Officials who may consent to opening a sealed list: the centre and the supervising side.
RELEASE_ROLES = frozenset({Role.CENTRE_STAFF, Role.DEPARTMENT_SUPERVISOR, Role.COMMITTEE_OFFICE,
                           Role.DISCIPLINE_INSPECTION})
RATER_ROLES = frozenset({Role.CENTRE_STAFF, Role.DEPARTMENT_SUPERVISOR, Role.COMMITTEE_OFFICE})


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("Enter the %(label)s.") % {"label": label}, code="required", field=field)
    return value


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


# --- The pool ----------------------------------------------------------------------------------------


@dataclass
class ExpertData:
    """What an application or an import row gives for one expert."""

    name: str
    id_number: str
    title_level: str
    title_name: str
    employer_name: str
    employer_credit_code: str
    region: Region | None
    phone: str
    specialty_codes: Sequence[str]
    email: str = ""
    years_in_field: int = 8
    term_start: dt.date | None = None
    term_end: dt.date | None = None


def expert_data_clean(data: ExpertData, *, exclude_pk: int | None = None) -> tuple[ExpertData, list[Specialty]]:
    """The checked data and its specialties, or ValidationFailed naming the field."""
    name = _required(data.name, "name", _("name"))
    id_number = id_number_validate(data.id_number)
    clash = Expert.objects.filter(id_number=id_number)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationFailed(_("An expert with this ID card number is already in the pool."),
                               code="duplicate_id_number", field="id_number")
    if data.title_level not in TitleLevel.values:
        raise ValidationFailed(_("Choose the title level: senior, associate senior or intermediate."),
                               code="title_level_invalid", field="title_level")
    title_name = _required(data.title_name, "title_name", _("professional title"))
    employer_name = _required(data.employer_name, "employer_name", _("employer"))
    code = credit_code_validate(data.employer_credit_code, field="employer_credit_code")
    if data.region is None:
        raise ValidationFailed(_("Choose the region."), code="required", field="region")
    phone = _required(data.phone, "phone", _("mobile phone"))
    codes = [c.strip() for c in data.specialty_codes if c and c.strip()]
    specialties = list(Specialty.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in specialties})
    if unknown:
        raise ValidationFailed(_("Unknown specialty code: %(codes)s.") % {"codes": ", ".join(unknown)},
                               code="specialty_unknown", field="specialties")
    if not specialties:
        raise ValidationFailed(_("Choose at least one specialty."), code="specialty_required", field="specialties")
    if data.years_in_field < 0 or data.years_in_field > 70:
        raise ValidationFailed(_("Enter the years in the field as a number from 0 to 70."),
                               code="years_invalid", field="years_in_field")
    if data.term_start and data.term_end and data.term_end < data.term_start:
        raise ValidationFailed(_("The term of appointment must end after it starts."), code="term_invalid",
                               field="term_end")
    clean = ExpertData(name=name, id_number=id_number, title_level=data.title_level, title_name=title_name,
                       employer_name=employer_name, employer_credit_code=code, region=data.region, phone=phone,
                       specialty_codes=[s.code for s in specialties], email=(data.email or "").strip(),
                       years_in_field=data.years_in_field, term_start=data.term_start, term_end=data.term_end)
    return clean, specialties


def _expert_from(data: ExpertData, **extra: Any) -> Expert:
    employer_org = Organisation.objects.filter(credit_code=data.employer_credit_code).first()
    return Expert(name=data.name, id_number=data.id_number, title_level=data.title_level, title_name=data.title_name,
                  years_in_field=data.years_in_field, employer_name=data.employer_name,
                  employer_credit_code=data.employer_credit_code, employer_org=employer_org, region=data.region,
                  phone=data.phone, email=data.email, term_start=data.term_start, term_end=data.term_end, **extra)


def expert_apply(*, actor: Any, data: ExpertData, username: str = "", password: str = "") -> Expert:
    """An online application, reviewed by centre staff. A signed-in expert-role user without a profile
    applies for their own account; anyone else creates an expert-role account with the application."""
    clean, specialties = expert_data_clean(data)
    account = _user(actor)
    if account is not None and account.is_authenticated:
        if not has_role(account, Role.EXPERT):
            raise PermissionDenied(_("Only an expert account can apply to the expert pool."))
        if Expert.objects.filter(user=account).exists():
            raise ValidationFailed(_("Your account already has an expert record."), code="already_applied")
    else:
        account = None
        username = _required(username, "username", _("user name"))
        try:
            validate_password(password, User(username=username))
        except DjangoValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), code="password_invalid", field="password") from exc
    with transaction.atomic():
        if account is None:
            account = user_create(actor=actor, username=username, password=password, organisation=None,
                                  role=Role.EXPERT, display_name=clean.name, email=clean.email, phone=clean.phone)
        expert = _expert_from(clean, status=ExpertStatus.SUBMITTED, user=account, submitted_at=db_now())
        expert.save()
        ExpertSpecialty.objects.bulk_create([ExpertSpecialty(expert=expert, specialty=s, region=expert.region)
                                             for s in specialties])
        event_append(action="experts.expert.applied", actor=actor, obj=expert,
                     payload={"region": clean.region.code if clean.region else "",
                              "specialties": sorted(clean.specialty_codes)})
    return expert


def _locked_expert(expert: Expert) -> Expert:
    return Expert.objects.select_for_update().get(pk=expert.pk)


def _term_default(start: dt.date) -> dt.date:
    try:
        return start.replace(year=start.year + 3)
    except ValueError:
        return start.replace(year=start.year + 3, day=28)


def expert_approve(*, actor: Any, expert: Expert, term_start: dt.date | None = None,
                   term_end: dt.date | None = None) -> Expert:
    """Admit an applicant to the pool for a term (default: three years from today)."""
    with transaction.atomic():
        locked = _locked_expert(expert)
        locked.status = EXPERT_TRANSITIONS.target(STEP_APPROVE, locked.status)
        now = db_now()
        locked.term_start = term_start or locked.term_start or now.astimezone(SHANGHAI).date()
        locked.term_end = term_end or locked.term_end or _term_default(locked.term_start)
        if locked.term_end < locked.term_start:
            raise ValidationFailed(_("The term of appointment must end after it starts."), code="term_invalid",
                                   field="term_end")
        locked.reviewed_by, locked.reviewed_at, locked.status_reason = _user(actor), now, ""
        locked.save()
        event_append(action="experts.expert.approved", actor=actor, obj=locked,
                     payload={"term_start": locked.term_start.isoformat(), "term_end": locked.term_end.isoformat()})
    return locked


def expert_reject(*, actor: Any, expert: Expert, reason: str) -> Expert:
    reason = _required(reason, "reason", _("reason"))
    with transaction.atomic():
        locked = _locked_expert(expert)
        locked.status = EXPERT_TRANSITIONS.target(STEP_REJECT, locked.status)
        locked.reviewed_by, locked.reviewed_at, locked.status_reason = _user(actor), db_now(), reason
        locked.save()
        event_append(action="experts.expert.rejected", actor=actor, obj=locked, payload={"status": locked.status})
    return locked


def _end_moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=SHANGHAI)


def expert_sanction(*, actor: Any, expert: Expert, kind: str, reason: str, until: dt.date | None = None) -> Expert:
    """Suspend or blacklist an expert from today until the end of ``until`` (None = until lifted)."""
    reason = _required(reason, "reason", _("reason"))
    step = {ExpertStatus.SUSPENDED: STEP_SUSPEND, ExpertStatus.BLACKLISTED: STEP_BLACKLIST}.get(kind)  # type: ignore[call-overload]
    if step is None:
        raise ValidationFailed(_("Choose suspension or blacklisting."), code="kind_invalid", field="kind")
    now = db_now()
    today = now.astimezone(SHANGHAI).date()
    if until is not None and until < today:
        raise ValidationFailed(_("The end of the period must not be in the past."), code="period_invalid",
                               field="until")
    with transaction.atomic():
        locked = _locked_expert(expert)
        locked.status = EXPERT_TRANSITIONS.target(step, locked.status)
        locked.status_from, locked.status_until, locked.status_reason = today, until, reason
        locked.next_check_at = _end_moment(until) if until else None
        locked.save()
        event_append(action=f"experts.expert.{locked.status}", actor=actor, obj=locked,
                     payload={"from": today.isoformat(), "until": until.isoformat() if until else None})
    return locked


def expert_reinstate(*, actor: Any, expert: Expert, reason: str = "") -> Expert:
    with transaction.atomic():
        locked = _locked_expert(expert)
        previous = locked.status
        locked.status = EXPERT_TRANSITIONS.target(STEP_REINSTATE, locked.status)
        locked.status_from, locked.status_until, locked.next_check_at = None, None, None
        locked.status_reason = (reason or "").strip()
        locked.save()
        event_append(action="experts.expert.reinstated", actor=actor, obj=locked, payload={"from": previous})
    return locked


def expert_check_due(expert: Expert, now: dt.datetime) -> None:
    """Chronograph step: a sanction whose last day has passed ends; the expert is active again."""
    if expert.status in (ExpertStatus.SUSPENDED, ExpertStatus.BLACKLISTED) and expert.status_until is not None \
            and _end_moment(expert.status_until) <= now:
        previous = expert.status
        expert.status, expert.status_from, expert.status_until = ExpertStatus.ACTIVE, None, None
        expert.next_check_at = None
        expert.save(update_fields=["status", "status_from", "status_until", "next_check_at"])
        event_append(action="experts.expert.sanction_ended", actor="chronograph", obj=expert,
                     payload={"from": previous})
        return
    expert.next_check_at = None
    expert.save(update_fields=["next_check_at"])


class ImportRefused(ValidationFailed):
    code = "import_refused"

    def __init__(self, errors: list[str]) -> None:
        super().__init__(_("The file was not imported: %(count)d problem(s).") % {"count": len(errors)})
        self.errors = errors


def experts_import(*, actor: Any, rows: Sequence[tuple[int, ExpertData]], errors: Sequence[str] = ()
                   ) -> list[Expert]:
    """Add many experts at once (the bulk of an existing pool), all active, or none: every row is checked
    first and every problem is reported with its row number (``errors``: rows the reader could not read)."""
    errors = list(errors)
    cleaned: list[tuple[ExpertData, list[Specialty]]] = []
    seen: dict[str, int] = {}
    for line, data in rows:
        try:
            clean, specialties = expert_data_clean(data)
        except ValidationFailed as exc:
            errors.append(_("Row %(row)d: %(message)s") % {"row": line, "message": exc.message})
            continue
        if clean.id_number in seen:
            errors.append(_("Row %(row)d: the same ID card number as row %(other)d.")
                          % {"row": line, "other": seen[clean.id_number]})
            continue
        seen[clean.id_number] = line
        cleaned.append((clean, specialties))
    if not rows and not errors:
        errors.append(_("The file has no expert rows."))
    if errors:
        raise ImportRefused(errors)
    now = db_now()
    today = now.astimezone(SHANGHAI).date()
    with transaction.atomic():
        experts = [_expert_from(c, status=ExpertStatus.ACTIVE, submitted_at=now, reviewed_at=now,
                                reviewed_by=_user(actor)) for c, _s in cleaned]
        for expert in experts:
            expert.term_start = expert.term_start or today
            expert.term_end = expert.term_end or _term_default(expert.term_start)
        Expert.objects.bulk_create(experts)
        if experts and experts[0].pk is None:  # databases that do not return ids from bulk inserts
            by_number = dict(Expert.objects.filter(id_number__in=seen).values_list("id_number", "pk"))
            for expert in experts:
                expert.pk = by_number[expert.id_number]
        ExpertSpecialty.objects.bulk_create([ExpertSpecialty(expert=e, specialty=s, region=e.region)
                                             for e, (_c, specs) in zip(experts, cleaned, strict=True) for s in specs])
        event_append(action="experts.pool.imported", actor=actor, object_type="experts.expert", object_id="",
                     payload={"count": len(experts), "first": experts[0].pk if experts else None,
                              "last": experts[-1].pk if experts else None})
    return experts


# --- Draw requests and the draw ------------------------------------------------------------------------


def draw_request_create(*, actor: Any, project: Project, purchaser_credit_code: str,
                        quotas: Sequence[tuple[str, int]], evaluation_at: dt.datetime,
                        agency_credit_code: str = "", bidder_credit_codes: Sequence[str] = (),
                        backups: int = 2, region_scope: str = RegionScope.LOCAL,
                        served_window_days: int | None = None, confirm_window_minutes: int | None = None,
                        venue: str = "") -> DrawRequest:
    """A procedure asks for experts: ``quotas`` is [(specialty code, number of experts)] in precedence
    order; ``backups`` ordered backups are drawn per quota. Tendering calls this with the purchaser, agency
    and registered bidders' credit codes once the bidder list is known."""
    purchaser = credit_code_validate(purchaser_credit_code, field="purchaser_credit_code")
    agency = credit_code_validate(agency_credit_code, field="agency_credit_code") if agency_credit_code else ""
    bidders = []
    for code in bidder_credit_codes:
        checked = credit_code_validate(code, field="bidder_credit_codes")
        if checked not in bidders:
            bidders.append(checked)
    if region_scope not in RegionScope.values:
        raise ValidationFailed(_("Choose the region scope: local, remote or any."), code="region_scope_invalid",
                               field="region_scope")
    if not 0 <= backups <= 20:
        raise ValidationFailed(_("The number of backups must be from 0 to 20."), code="backups_invalid",
                               field="backups")
    if not quotas:
        raise ValidationFailed(_("Ask for at least one specialty."), code="quotas_required", field="quotas")
    specialties = {s.code: s for s in Specialty.objects.filter(code__in=[c for c, _n in quotas])}
    seen: set[str] = set()
    for code, count in quotas:
        if code not in specialties:
            raise ValidationFailed(_("Unknown specialty code: %(codes)s.") % {"codes": code},
                                   code="specialty_unknown", field="quotas")
        if code in seen:
            raise ValidationFailed(_("Each specialty may appear once in a request."), code="quota_duplicate",
                                   field="quotas")
        seen.add(code)
        if not 1 <= int(count) <= 50:
            raise ValidationFailed(_("The number of experts per specialty must be from 1 to 50."),
                                   code="count_invalid", field="quotas")
    window = DEFAULT_SERVED_WINDOW_DAYS if served_window_days is None else served_window_days
    if not 0 <= window <= 3650:
        raise ValidationFailed(_("The repeat-service period must be from 0 to 3650 days."),
                               code="served_window_invalid", field="served_window_days")
    confirm: int = confirm_window_minutes or int(getattr(settings, "YANGGUANG_EXPERT_CONFIRM_MINUTES",
                                                         DEFAULT_CONFIRM_WINDOW_MINUTES))
    if not 1 <= confirm <= 24 * 60:
        raise ValidationFailed(_("The time to answer must be from 1 minute to 24 hours."),
                               code="confirm_window_invalid", field="confirm_window_minutes")
    if evaluation_at is None or evaluation_at <= db_now():
        raise ValidationFailed(_("The evaluation must start in the future."), code="evaluation_at_past",
                               field="evaluation_at")
    with transaction.atomic():
        request = DrawRequest.objects.create(
            project=project, purchaser_credit_code=purchaser, agency_credit_code=agency,
            bidder_credit_codes=bidders, region_scope=region_scope, evaluation_at=evaluation_at,
            served_window_days=window, confirm_window_minutes=confirm, venue=(venue or "").strip()[:120],
            created_by=_user(actor))
        DrawQuota.objects.bulk_create([
            DrawQuota(request=request, position=i, specialty=specialties[code], count=int(count), backups=backups)
            for i, (code, count) in enumerate(quotas)])
        event_append(action="experts.draw_request.created", actor=actor, obj=request,
                     payload={"project": project.pk, "quotas": [[c, int(n)] for c, n in quotas],
                              "backups": backups, "region_scope": region_scope, "bidders": len(bidders),
                              "evaluation_at": evaluation_at.isoformat(), "served_window_days": window})
    return request


def draw_run(*, actor: Any, request: DrawRequest, timings: dict[str, float] | None = None) -> Draw:
    """Freeze and hash the eligible pool, log the commitment to a fresh secret, then — in a second
    transaction, so the commitment is public before the beacon exists — fix the beacon, rank, seat the
    primaries and invite them. A run interrupted after the commitment resumes from it, never re-draws."""
    import time

    clock = time.perf_counter
    started = clock()
    specialty_ids: dict[str, int] = {}
    fresh_strata: list[algorithm.Stratum] | None = None  # the pool just computed (a resumed run re-reads it)
    with transaction.atomic():
        # The request locked, with its draw if one exists (a resumed run), in one round trip.
        locked = (DrawRequest.objects.select_for_update(of=("self",)).select_related("project__region", "draw")
                  .get(pk=request.pk))
        try:
            existing: Draw | None = locked.draw
        except Draw.DoesNotExist:
            existing = None
        if existing is not None and existing.beacon_seq is None:
            draw = existing
        else:
            DRAW_TRANSITIONS.target(STEP_RUN, locked.status)
            pool = pool_compute(locked)
            specialty_ids, fresh_strata = pool.specialty_ids, list(pool.strata)
            t_pool = clock()
            if timings is not None:
                timings["pool"] = t_pool - started
            short = [s.code for s in pool.strata if len(s.ids) < s.count]
            if short:
                raise ValidationFailed(
                    _("Not enough eligible experts for specialty %(codes)s: widen the region scope or lower the "
                      "number.") % {"codes": ", ".join(short)}, code="pool_insufficient", field="quotas")
            secret = secrets.token_bytes(32)
            counts = pool.exclusion_counts()
            snapshot = algorithm.canonical_json(
                algorithm.pool_snapshot(request=locked.pk, strata=pool.strata, exclusions=counts)).decode()
            pool_hash = algorithm.sm3_hex(snapshot.encode())
            commitment = algorithm.seed_commitment(request=locked.pk, secret=secret)
            draw = Draw.objects.create(request=locked, algorithm=algorithm.ALGORITHM, pool_snapshot=snapshot,
                                       pool_hash=pool_hash, pool_size=pool.size, exclusion_counts=counts,
                                       seed_commitment=commitment, secret=secret.hex(), commit_seq=-1,
                                       exclusions={str(k): sorted(v) for k, v in pool.exclusions.items()})
            event = event_append(action="experts.draw.committed", actor=actor, obj=draw,
                                 payload={"request": locked.pk, "project": locked.project_id,
                                          "algorithm": algorithm.ALGORITHM, "pool_hash": pool_hash,
                                          "pool_size": pool.size, "commitment": commitment,
                                          "exclusions": counts})
            draw.commit_seq = event.seq
            draw.save(update_fields=["commit_seq"])
            locked.status = DrawStatus.DRAWN
            locked.save(update_fields=["status"])
    t_commit = clock()
    if timings is not None:
        timings["commit"] = t_commit - started - timings.get("pool", 0.0)
    with transaction.atomic():
        # Lock the draw and check nobody finished it meanwhile; the rest of the row (its snapshot is the
        # largest value of the draw) is already in hand from the first transaction.
        if Draw.objects.select_for_update().values_list("beacon_seq", flat=True).get(pk=draw.pk) is not None:
            return Draw.objects.select_related("request").get(pk=draw.pk)
        draw.request = locked
        beacon_seq = draw.commit_seq + 1
        drawn = event_append(action="experts.draw.drawn", actor=actor, obj=draw,
                             payload={"request": draw.request_id, "beacon_seq": beacon_seq})
        # The event right after the commitment: written after the commitment was public, by whoever wrote next
        # (usually this very event, whose chain hash is at hand).
        if drawn.seq == beacon_seq:
            beacon = drawn.chain_hash
        else:
            beacon = Event.objects.values_list("chain_hash", flat=True).get(seq=beacon_seq)
        secret = bytes.fromhex(draw.secret)
        seed = algorithm.seed_derive(request=draw.request_id, secret=secret, pool_hash=draw.pool_hash, beacon=beacon)
        # The strata hashed into the commitment: in hand after a fresh computation, else from the snapshot.
        strata = fresh_strata if fresh_strata is not None else algorithm.strata_from_snapshot(draw.snapshot)
        ranking = algorithm.rank(seed, strata)
        t_rank = clock()
        if timings is not None:
            timings["rank"] = t_rank - t_commit
        now = drawn.created_at  # the database clock when the draw was made
        window = dt.timedelta(minutes=draw.request.confirm_window_minutes)
        specialties = specialty_ids or dict(
            Specialty.objects.filter(code__in=[s.code for s in strata]).values_list("code", "pk"))
        slots = []
        for index, (stratum, chosen) in enumerate(zip(strata, ranking, strict=True)):
            for position, expert_id in enumerate(chosen):
                primary = position < stratum.count
                slots.append(DrawSlot(
                    draw=draw, stratum=index, specialty_id=specialties[stratum.code], rank=position,
                    role=SlotRole.PRIMARY if primary else SlotRole.BACKUP, expert_id=expert_id,
                    state=SlotState.INVITED if primary else SlotState.WAITING,
                    invited_at=now if primary else None, respond_by=now + window if primary else None,
                    next_check_at=now + window if primary else None))
        DrawSlot.objects.bulk_create(slots)
        draw.beacon_seq, draw.beacon_value, draw.drawn_at = beacon_seq, beacon, now
        draw.save(update_fields=["beacon_seq", "beacon_value", "drawn_at"])
        invited = [slot.pk for slot in slots if slot.state == SlotState.INVITED]
        if slots and slots[0].pk is None:  # databases that do not return ids from bulk inserts
            invited = list(DrawSlot.objects.filter(draw=draw, state=SlotState.INVITED).order_by("stratum", "rank")
                           .values_list("pk", flat=True))
        # One event for the primaries invited together (slot ids only); each later call-up is its own event.
        event_append(action="experts.invitation.sent", actor=actor, obj=draw,
                     payload={"draw": draw.pk, "slots": invited})
        transaction.on_commit(lambda: _notify(invited))
    if timings is not None:
        timings["store"] = clock() - t_commit - timings.get("rank", 0.0)
    return draw


def _notify(slot_ids: list[int]) -> None:
    # Not the draw's large columns (the pool snapshot and the exclusions, decoded once per slot otherwise).
    slots = DrawSlot.objects.filter(pk__in=slot_ids).select_related("expert", "draw__request").defer(
        "draw__pool_snapshot", "draw__exclusions", "draw__exclusion_counts", "draw__audit_package")
    for slot in slots:
        invitation_notify(slot)


def _invite_next_backup(draw: Draw, stratum: int, now: dt.datetime, actor: Any) -> DrawSlot | None:
    backup = (DrawSlot.objects.select_for_update().filter(draw=draw, stratum=stratum, state=SlotState.WAITING)
              .order_by("rank").first())
    if backup is None:
        if not draw.short:
            draw.short = True
            draw.save(update_fields=["short"])
        event_append(action="experts.draw.short", actor=actor, obj=draw, payload={"stratum": stratum})
        return None
    window = dt.timedelta(minutes=draw.request.confirm_window_minutes)
    backup.state, backup.invited_at = SlotState.INVITED, now
    backup.respond_by = backup.next_check_at = now + window
    backup.save(update_fields=["state", "invited_at", "respond_by", "next_check_at"])
    event_append(action="experts.invitation.sent", actor=actor, obj=backup,
                 payload={"draw": draw.pk, "stratum": stratum, "rank": backup.rank})
    slot_id = backup.pk
    transaction.on_commit(lambda: _notify([slot_id]))
    return backup


def invitation_respond(*, actor: Any, slot: DrawSlot, accept: bool, reason: str = "") -> DrawSlot:
    """The invited expert accepts or declines; a decline calls up the next backup of the stratum."""
    with transaction.atomic():
        # Slot before draw, the order the chronograph's claim (slot) and timeout step (draw) lock in.
        locked = DrawSlot.objects.select_for_update(of=("self",)).select_related("expert").get(pk=slot.pk)
        draw = Draw.objects.select_for_update().select_related("request").get(pk=slot.draw_id)
        if locked.expert.user_id is None or _user(actor) is None or locked.expert.user_id != actor.pk:
            raise PermissionDenied(_("This invitation is not yours."))
        if draw.request.status != DrawStatus.DRAWN:
            raise IllegalTransition(_("This draw is closed."))
        now = db_now()
        target = SLOT_TRANSITIONS.target(STEP_ACCEPT if accept else STEP_DECLINE, locked.state)
        if locked.respond_by is not None and now > locked.respond_by:
            raise IllegalTransition(_("The time to answer this invitation has passed."), code="answer_late")
        locked.state = target
        locked.responded_at, locked.next_check_at = now, None
        locked.decline_reason = "" if accept else (reason or "").strip()[:200]
        locked.save(update_fields=["state", "responded_at", "next_check_at", "decline_reason"])
        event_append(action=f"experts.invitation.{locked.state}", actor=actor, obj=locked,
                     payload={"draw": draw.pk, "stratum": locked.stratum, "rank": locked.rank})
        if accept:
            _service_record(draw, locked)
        else:
            _invite_next_backup(draw, locked.stratum, now, actor)
    return locked


def invitation_check_due(slot: DrawSlot, now: dt.datetime) -> None:
    """Chronograph step: an invitation not answered in time times out and the next backup is called."""
    draw = Draw.objects.select_for_update().select_related("request").get(pk=slot.draw_id)
    if slot.state != SlotState.INVITED or draw.request.status != DrawStatus.DRAWN:
        slot.next_check_at = None
        slot.save(update_fields=["next_check_at"])
        return
    if slot.respond_by is not None and slot.respond_by > now:
        slot.next_check_at = slot.respond_by
        slot.save(update_fields=["next_check_at"])
        return
    slot.state = SLOT_TRANSITIONS.target(STEP_TIME_OUT, slot.state)
    slot.responded_at, slot.next_check_at = now, None
    slot.save(update_fields=["state", "responded_at", "next_check_at"])
    event_append(action="experts.invitation.timed_out", actor="chronograph", obj=slot,
                 payload={"draw": draw.pk, "stratum": slot.stratum, "rank": slot.rank})
    _invite_next_backup(draw, slot.stratum, now, "chronograph")


def draw_release(*, actor: Any, draw: Draw) -> Draw:
    """One official consents to opening the sealed list, at or after the evaluation start. The list opens
    when two officials of two different organisations have consented (cf. the 怀化 leak: one borrowed
    certificate printed a list)."""
    user = _user(actor)
    if user is None or not has_role(user, *RELEASE_ROLES) or user.organisation_id is None:
        raise PermissionDenied(_("Only centre staff and supervising officials can release an expert list."))
    with transaction.atomic():
        locked = Draw.objects.select_for_update().select_related("request").get(pk=draw.pk)
        request = DrawRequest.objects.select_for_update().get(pk=locked.request_id)
        DRAW_TRANSITIONS.target(STEP_RELEASE, request.status)
        now = db_now()
        if now < request.evaluation_at:
            raise IllegalTransition(
                _("The list stays sealed until the evaluation starts at %(moment)s.")
                % {"moment": f"{request.evaluation_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"}, code="sealed")
        earlier = list(DrawRelease.objects.filter(draw=locked))
        if any(r.official_id == user.pk for r in earlier):
            raise IllegalTransition(_("You have already consented; a second official must release the list."),
                                    code="release_same_official")
        if any(r.organisation_id == user.organisation_id for r in earlier):
            raise IllegalTransition(_("The second official must belong to another organisation."),
                                    code="release_same_organisation")
        DrawRelease.objects.create(draw=locked, official=user, organisation_id=user.organisation_id, released_at=now)
        event_append(action="experts.draw.release_consented", actor=actor, obj=locked,
                     payload={"organisation": user.organisation_id, "consents": len(earlier) + 1})
        if earlier:
            request.status = DRAW_TRANSITIONS.target(STEP_RELEASE, request.status)
            request.save(update_fields=["status"])
            locked.released_at = now
            locked.save(update_fields=["released_at"])
            DrawSlot.objects.filter(draw=locked, state=SlotState.INVITED).update(next_check_at=None)
            event_append(action="experts.draw.released", actor=actor, obj=locked,
                         payload={"officials": sorted([user.pk, *[r.official_id for r in earlier]])})
    return locked


def audit_package_build(draw: Draw) -> dict[str, Any]:
    """Everything a third party needs to recompute the draw (see ``algorithm`` and ``verify_draw``)."""
    slots = list(DrawSlot.objects.filter(draw=draw).order_by("stratum", "rank"))
    snapshot = draw.snapshot
    ranking: list[list[int]] = [[] for _s in snapshot["strata"]]
    for slot in slots:
        ranking[slot.stratum].append(slot.expert_id)
    answered = sorted((s for s in slots if s.state in (SlotState.DECLINED, SlotState.TIMED_OUT)),
                      key=lambda s: (s.responded_at, s.pk))
    responses: list[dict[str, Any]] = [{"stratum": s.stratum, "expert": s.expert_id, "kind": s.state}
                                       for s in answered]
    counts = [int(s["count"]) for s in snapshot["strata"]]
    final = algorithm.replay(ranking, counts, [algorithm.Response(stratum=s.stratum, expert=s.expert_id, kind=s.state)
                                               for s in answered])
    return {
        "algorithm": draw.algorithm,
        "request": draw.request_id,
        "pool": snapshot,
        "pool_hash": draw.pool_hash,
        "commitment": draw.seed_commitment,
        "commit_seq": draw.commit_seq,
        "beacon": {"kind": "log-next-event-chain-hash", "seq": draw.beacon_seq, "value": draw.beacon_value},
        "secret": draw.secret,
        "ranking": ranking,
        "responses": responses,
        "final": final,
    }


def draw_publish_audit(*, actor: Any, draw: Draw) -> Draw:
    """Publish the audit package (for now: after the release; with evaluation built, after the award)."""
    with transaction.atomic():
        locked = Draw.objects.select_for_update().get(pk=draw.pk)
        request = DrawRequest.objects.select_for_update().get(pk=locked.request_id)
        request.status = DRAW_TRANSITIONS.target(STEP_PUBLISH, request.status)
        package = algorithm.canonical_json(audit_package_build(locked)).decode()
        locked.audit_package, locked.published_at = package, db_now()
        locked.save(update_fields=["audit_package", "published_at"])
        request.save(update_fields=["status"])
        event_append(action="experts.draw.audit_published", actor=actor, obj=locked,
                     payload={"request": request.pk, "package_sm3": algorithm.sm3_hex(package.encode())})
    return locked


# --- After the evaluation -------------------------------------------------------------------------


def _released_slot(slot: DrawSlot) -> tuple[Draw, DrawSlot]:
    draw = Draw.objects.select_for_update().select_related("request").get(pk=slot.draw_id)
    if draw.released_at is None:
        raise IllegalTransition(_("Attendance and ratings are recorded after the list is released."),
                                code="not_released")
    locked = DrawSlot.objects.select_for_update().get(pk=slot.pk)
    if locked.state != SlotState.ACCEPTED:
        raise IllegalTransition(_("Only an expert who accepted can attend or be rated."), code="not_seated")
    return draw, locked


def attendance_record(*, actor: Any, slot: DrawSlot, attended: bool) -> DrawSlot:
    with transaction.atomic():
        draw, locked = _released_slot(slot)
        locked.attended = attended
        locked.save(update_fields=["attended"])
        ServiceRecord.objects.filter(slot=locked).update(attended=attended)
        event_append(action="experts.attendance.recorded", actor=actor, obj=locked,
                     payload={"draw": draw.pk, "attended": attended})
    return locked


def _service_record(draw: Draw, slot: DrawSlot) -> ServiceRecord:
    """The expert serves this purchaser on the evaluation day (the repeat-service recusal rule reads it)."""
    project = draw.request.project
    return ServiceRecord.objects.create(expert=slot.expert, purchaser_credit_code=draw.request.purchaser_credit_code,
                                        purchaser_name=project.owner.name, served_on=evaluation_day(draw.request),
                                        project=project, slot=slot)


def slot_withdraw(*, actor: Any, slot: DrawSlot, reason: str) -> DrawSlot | None:
    """At the evaluation (after the release) a seated expert withdraws — a conflict declared against a bidder
    (招标投标法 第37条, 政府采购法实施条例 第9条) — and the next waiting backup of the stratum is seated at once
    (an on-site call-up, no answer window). Returns the backup's slot, or None when the stratum has run out
    (the draw is then marked short). The audit package's replay sees the withdrawal as a decline."""
    with transaction.atomic():
        draw, locked = _released_slot(slot)
        locked.state, locked.responded_at = SlotState.DECLINED, db_now()
        locked.decline_reason = (reason or "").strip()[:200] or "recused at the evaluation"
        locked.save(update_fields=["state", "responded_at", "decline_reason"])
        ServiceRecord.objects.filter(slot=locked).update(attended=False)
        event_append(action="experts.slot.withdrawn", actor=actor, obj=locked,
                     payload={"draw": draw.pk, "stratum": locked.stratum, "rank": locked.rank})
        backup = (DrawSlot.objects.select_for_update().filter(draw=draw, stratum=locked.stratum,
                                                              state=SlotState.WAITING).order_by("rank").first())
        if backup is None:
            draw.short = True
            draw.save(update_fields=["short"])
            event_append(action="experts.draw.short", actor=actor, obj=draw, payload={"stratum": locked.stratum})
            return None
        now = db_now()
        backup.state, backup.invited_at, backup.responded_at = SlotState.ACCEPTED, now, now
        backup.save(update_fields=["state", "invited_at", "responded_at"])
        _service_record(draw, backup)
        event_append(action="experts.slot.called_up", actor=actor, obj=backup,
                     payload={"draw": draw.pk, "stratum": backup.stratum, "rank": backup.rank})
    return backup


def expert_rate(*, actor: Any, slot: DrawSlot, score: int, comment: str = "") -> ExpertRating:
    user = _user(actor)
    if user is None or not has_role(user, *RATER_ROLES):
        raise PermissionDenied(_("Only the centre and supervising officials rate experts."))
    if not 1 <= int(score) <= 5:
        raise ValidationFailed(_("The score must be from 1 to 5."), code="score_invalid", field="score")
    with transaction.atomic():
        draw, locked = _released_slot(slot)
        if ExpertRating.objects.filter(slot=locked, rater=user).exists():
            raise IllegalTransition(_("You have already rated this expert for this evaluation."), code="rated")
        rating = ExpertRating.objects.create(slot=locked, rater=user, score=int(score),
                                             comment=(comment or "").strip()[:300])
        event_append(action="experts.rating.added", actor=actor, obj=rating,
                     payload={"draw": draw.pk, "slot": locked.pk, "score": int(score)})
    return rating
