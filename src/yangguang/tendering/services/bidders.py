"""What bidders do and what they are told: registration, documents, questions, clarifications."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yangguang.accounts.models import Organisation
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import days_between
from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.notices.models import Notice
from yangguang.notices.services import notice_correct
from yangguang.suppliers.selectors import supplier_eligible

from ..access import own_organisation
from ..models import (
    Clarification,
    ClarificationDelivery,
    DocumentDownload,
    Lot,
    Procedure,
    Question,
    Registration,
    TenderDocument,
)
from ..states import (
    PROCEDURE_MOVES,
    STEP_CLARIFY,
    STEP_REGISTER,
)
from ..timeline import bid_deadline_at, compress, legal_now
from ._common import (
    _lock,
    _require_manager,
    _sealed,
    _when,
)
from .clock import _next_check
from .procedures import _document_add

# --- registration and documents ---------------------------------------------------------------------------


def _bidding_open(procedure: Procedure, now: dt.datetime, *, documents: bool = False) -> None:
    """Request handlers check the deadline themselves with the database clock: a late worker lets nothing in."""
    PROCEDURE_MOVES.target(STEP_REGISTER, procedure.status)
    closes = procedure.effective_documents_until if documents else None
    closes = closes or procedure.effective_bid_deadline
    if closes is not None and now >= closes:
        raise IllegalTransition(_("The period for obtaining the documents is over."))
    if procedure.held:
        raise IllegalTransition(_("The procedure is on hold."))


def registration_create(*, actor: Any, lot: Lot, organisation: Organisation | None = None) -> Registration:
    """网上报名 for a lot by a supplier of the pool (its own organisation). The demo and imports may pass
    ``organisation`` with a system actor."""
    if isinstance(actor, str):
        if organisation is None:
            raise ValidationFailed(_("Choose the supplier."), code="required", field="organisation")
        org_id = organisation.pk
    else:
        org_id = own_organisation(actor)  # type: ignore[assignment]
        if org_id is None:
            raise PermissionDenied(_("Only suppliers register for a procedure."))
        organisation = Organisation.objects.get(pk=org_id)
    procedure = lot.procedure
    PROCEDURE_MOVES.target(STEP_REGISTER, procedure.status)
    eligible, reason = supplier_eligible(organisation)
    if not eligible:
        raise ValidationFailed(reason, code="not_eligible", field="organisation")
    if not procedure.preset.strategy.may_register(procedure, org_id):
        raise PermissionDenied(_("This procedure is by invitation and your organisation is not invited."))
    with transaction.atomic():
        locked = _lock(procedure)
        now = db_now()
        _bidding_open(locked, now, documents=True)
        existing = Registration.objects.filter(lot=lot, organisation_id=org_id).first()
        if existing is not None:  # idempotent: registering twice is the same registration
            return existing
        registration = Registration.objects.create(
            lot=lot, organisation_id=org_id, registered_by=actor if getattr(actor, "pk", None) else None,
            registered_at=now, token=secrets.token_hex(16), salt=secrets.token_hex(16))
        _sealed("tendering.registration.created", registration.token, registration.salt, lot.pk, org_id,
                now.isoformat())
    return registration


def document_download(*, actor: Any, document: TenderDocument) -> DocumentDownload:
    """Record that a registered supplier obtained a version of the documents (the view then streams it)."""
    org_id = own_organisation(actor)
    if org_id is None:
        raise PermissionDenied(_("Only registered suppliers obtain the documents here."))
    registration = Registration.objects.filter(lot__procedure_id=document.procedure_id,
                                               organisation_id=org_id).order_by("pk").first()
    if registration is None:
        raise PermissionDenied(_("Register for a lot first; the documents are then yours to download."))
    with transaction.atomic():
        now = db_now()
        download = DocumentDownload.objects.create(registration=registration, document=document, user=actor,
                                                   downloaded_at=now)
        _sealed("tendering.document.downloaded", registration.token, registration.salt, document.pk,
                now.isoformat())
    return download


# --- questions and clarifications -------------------------------------------------------------------------


def question_ask(*, actor: Any, procedure: Procedure, text: str) -> Question:
    """A registered bidder asks; the purchaser, agency and others see the text, never the asker."""
    org_id = own_organisation(actor)
    if org_id is None:
        raise PermissionDenied(_("Only suppliers ask questions here."))
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write your question."), code="required", field="text")
    if len(text) > 4000:
        raise ValidationFailed(_("The question is longer than 4000 characters."), code="too_long", field="text")
    if not Registration.objects.filter(lot__procedure=procedure, organisation_id=org_id).exists():
        raise PermissionDenied(_("Register for a lot before asking."))
    with transaction.atomic():
        locked = _lock(procedure)
        now = db_now()
        _bidding_open(locked, now)
        question = Question.objects.create(procedure=locked, asker_id=org_id, text=text, asked_at=now)
        event_append(action="tendering.question.asked", actor="bidder", obj=question,
                     payload={"procedure": locked.pk})
    return question


def clarification_publish(*, actor: Any, procedure: Procedure, text: str, affects_preparation: bool = False,
                          upload: Any = None, expected_sha256: str | None = None,
                          bid_deadline: dt.datetime | None = None, answers: Sequence[Question] = ()
                          ) -> Clarification:
    """An answer or amendment to every registered bidder, published as a clarification notice.

    When it may affect the preparation of bids (or changes the documents) and comes later than the legal
    minimum before the deadline (G-012 / P-009 …: "at least 15 days before"), the deadline is postponed to
    the earliest lawful one (or to ``bid_deadline`` if that is later), and the new deadline is published."""
    _require_manager(actor, procedure)
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Write the clarification."), code="required", field="text")
    affects = bool(affects_preparation or upload is not None)
    with transaction.atomic():
        locked = _lock(procedure)
        PROCEDURE_MOVES.target(STEP_CLARIFY, locked.status)
        now = db_now()
        if locked.effective_bid_deadline and now >= locked.effective_bid_deadline:
            raise IllegalTransition(_("The bid deadline has passed."))
        preset = locked.preset
        assert locked.bid_deadline is not None and locked.time_origin is not None
        old_deadline = locked.bid_deadline
        new_deadline = old_deadline
        if bid_deadline is not None:
            if bid_deadline < old_deadline:
                raise ValidationFailed(_("An amendment may postpone the deadline, not bring it forward."),
                                       code="deadline_earlier", field="bid_deadline")
            new_deadline = bid_deadline
        postponed_by = ""
        if affects:
            rule = preset.clarification
            legal_moment = legal_now(locked.time_origin, now, locked.sandbox)
            if days_between(legal_moment, new_deadline, rule.unit()) < rule.n():
                required, _provisional = bid_deadline_at(legal_moment, rule.n(), rule)
                if required > new_deadline:
                    new_deadline, postponed_by = required, rule.code
        document = _document_add(actor, locked, upload, expected_sha256) if upload is not None else None
        number = locked.clarifications.count() + 1
        clarification = Clarification.objects.create(
            procedure=locked, number=number, text=text, affects_preparation=affects, document=document,
            old_bid_deadline=old_deadline, new_bid_deadline=new_deadline if new_deadline != old_deadline else None,
            postponed_by_rule=postponed_by, published_by=actor if getattr(actor, "pk", None) else None,
            published_at=now)
        if new_deadline != old_deadline:
            locked.bid_deadline = new_deadline
            locked.effective_bid_deadline = compress(locked.time_origin, new_deadline, locked.sandbox)
            locked.next_check_at = None if locked.held else _next_check(locked)
            locked.save(update_fields=["bid_deadline", "effective_bid_deadline", "next_check_at"])
        Question.objects.filter(pk__in=[q.pk for q in answers], procedure=locked).update(answer=clarification)
        ClarificationDelivery.objects.bulk_create([
            ClarificationDelivery(clarification=clarification, registration=r, delivered_at=now)
            for r in Registration.objects.filter(lot__procedure=locked)])
        if locked.notice_id:
            original = Notice.objects.get(pk=locked.notice_id)
            changes = text if document is None else \
                f"{text}\n修改后的招标文件：第{document.version}版 SHA-256 {document.sha256}"
            fields = {"changes": changes}
            if new_deadline != old_deadline:
                fields["new_deadline"] = f"投标截止及开标时间由 {_when(old_deadline)} 顺延至 {_when(new_deadline)}"
            notice = notice_correct(actor=actor, original=original, title=f"{locked.title}澄清（第{number}号）",
                                    body_html="", fields=fields, reason=_("Clarification or amendment"))
            clarification.notice_id = notice.pk
            clarification.save(update_fields=["notice_id"])
        event_append(action="tendering.clarification.published", actor=actor, obj=locked, payload={
            "number": number, "affects_preparation": affects,
            "document_version": document.version if document else None,
            "old_bid_deadline": old_deadline.isoformat(), "new_bid_deadline": new_deadline.isoformat(),
            "postponed_by_rule": postponed_by, "notice": clarification.notice_id})
    return clarification
