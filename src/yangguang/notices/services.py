"""Every write of the notices app: publish, correct, withdraw, close a publicity window.

Each step: check → lock → change → event → (cache revision bump, same transaction). Event payloads hold
ids, codes and types only; the notice text itself is public on the portal, not in the log.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

import nh3
from django.db import transaction
from django.db.models import F
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from yangguang.accounts.models import Region
from yangguang.catalogue.states import Category
from yangguang.core.codes import code_next
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import DayUnit, deadline, local_date
from yangguang.core.errors import PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append
from yangguang.core.storage import file_store

from . import publicity, search
from .access import notice_manageable, notice_publish_allowed
from .models import Notice, NoticeAttachment, NoticeRevision, NoticeSearch
from .registry import TypeSpec, type_spec
from .states import NOTICE_MOVES, NoticeStatus, NoticeType

MAX_TITLE = 300
MAX_ATTACHMENTS = 20

# Tags and attributes a notice may use: text structure, tables and links. No script, style, iframe,
# form, svg or event attributes; links get rel="noopener noreferrer" and only http(s)/mailto URLs.
ALLOWED_TAGS = {
    "p", "br", "b", "strong", "i", "em", "u", "s", "sub", "sup", "h2", "h3", "h4", "ul", "ol", "li", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "a", "span", "div", "hr", "pre", "code",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def body_sanitise(html: str) -> str:
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def revision_bump() -> None:
    """Invalidate every process's cached portal fragments (see NoticeRevision)."""
    if not NoticeRevision.objects.filter(pk=1).update(number=F("number") + 1):
        NoticeRevision.objects.create(pk=1, number=1)


def revision_current() -> int:
    from .selectors import notices_revision

    return notices_revision()


def _region_codes(region: Region) -> list[str]:
    codes, current = [], region
    while current is not None:
        codes.append(current.code)
        current = current.parent  # type: ignore[assignment]
    return codes


def _clean_fields(spec: TypeSpec, fields: dict[str, Any]) -> dict[str, str]:
    if not isinstance(fields, dict):
        raise ValidationFailed(_("The fields must be an object of names and texts."), code="invalid_fields",
                               field="fields")
    cleaned: dict[str, str] = {}
    for key, value in fields.items():
        if value is None:
            continue
        if not isinstance(value, str | int | float):
            raise ValidationFailed(_("Field “%(label)s” must be text.") % {"label": spec.field_label(str(key))},
                                   code="invalid_field", field=str(key))
        text = str(value).strip()
        if len(text) > 4000:
            raise ValidationFailed(_("Field “%(label)s” is longer than 4000 characters.")
                                   % {"label": spec.field_label(str(key))}, code="field_too_long", field=str(key))
        if text:
            cleaned[str(key)] = text
    for required in spec.fields:
        if not cleaned.get(required.key):
            raise ValidationFailed(
                _("A %(type)s must state “%(label)s”.") % {"type": spec.label, "label": required.label},
                code="required", field=required.key)
    return cleaned


def _publicity(spec: TypeSpec, days: int | None, published_at: dt.datetime
               ) -> tuple[int | None, str, dt.datetime | None]:
    """(days, unit, closes_at): the rule's minimum unless a longer period is asked for."""
    minimum, unit = spec.publicity_days, spec.publicity_unit
    if days is None:
        days = minimum
    elif minimum is not None and days < minimum:
        message = (_("The publicity period of a %(type)s is at least %(n)s working days.")
                   if unit == DayUnit.WORKING_DAY else
                   _("The publicity period of a %(type)s is at least %(n)s calendar days."))
        raise ValidationFailed(message % {"type": spec.label, "n": minimum}, code="publicity_too_short",
                               field="publicity_days")
    if days is None:
        return None, "", None
    if days < 1 or days > 365:
        raise ValidationFailed(_("The publicity period must be between 1 and 365 days."),
                               code="invalid_publicity", field="publicity_days")
    return days, str(unit), deadline(published_at, days, unit).at


def _attachments_store(notice: Notice, attachments: Sequence[Any]) -> None:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationFailed(_("A notice can have at most 20 attachments."), code="too_many_attachments",
                               field="attachments")
    for upload in attachments:
        stored = file_store(upload, folder="notices")
        name = os.path.basename(getattr(upload, "name", "") or "") or stored.sha256[:12]
        NoticeAttachment.objects.create(notice=notice, name=name[:200], path=stored.path, sha256=stored.sha256,
                                        size=stored.size)


def _check_text(title: str, owner: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("Enter the notice title."), code="required", field="title")
    if len(title) > MAX_TITLE:
        raise ValidationFailed(_("The title is longer than 300 characters."), code="title_too_long", field="title")
    if len(owner) > 80:
        raise ValidationFailed(_("The owner reference is longer than 80 characters."), code="invalid_owner",
                               field="owner")
    return title


def _create(*, actor: Any, spec: TypeSpec, region: Region, title: str, body_html: str, fields: dict[str, str],
            project: Any, category: str, attachments: Sequence[Any], publicity_days: int | None, owner: str,
            corrects: Notice | None = None, correction_reason: str = "") -> Notice:
    now = db_now()
    body = body_sanitise(body_html)
    days, unit, closes_at = _publicity(spec, publicity_days, now)
    code = code_next(f"{region.code}-GG-{local_date(now).year}", width=6)
    notice = Notice.objects.create(
        code=code, type=spec.code, category=category, region=region, project=project, title=title,
        body_html=body, fields=fields, status=NoticeStatus.PUBLISHED, corrects=corrects,
        correction_reason=correction_reason, owner=owner, published_at=now,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
        publicity_days=days, publicity_unit=unit, publicity_opens_at=now if closes_at else None,
        publicity_closes_at=closes_at, next_check_at=closes_at,
    )
    NoticeSearch.objects.create(notice=notice, text=search.search_document(
        title=title, code=code, fields=fields, body_text=strip_tags(body), notice_type=spec.code,
        category=category, region_codes=_region_codes(region)))
    _attachments_store(notice, attachments)
    return notice


def _payload(notice: Notice) -> dict[str, Any]:
    payload: dict[str, Any] = {"code": notice.code, "type": notice.type, "category": notice.category,
                               "region": notice.region.code}
    if notice.project_id:
        payload["project_id"] = notice.project_id
    if notice.publicity_closes_at:
        payload["publicity_closes_at"] = notice.publicity_closes_at.isoformat()
    return payload


def notice_publish(*, actor: Any, notice_type: str, region: Region, title: str, body_html: str = "",
                   fields: dict, project: Any = None, category: str | None = None, attachments: Sequence = (),
                   publicity_days: int | None = None, owner: str = "") -> Notice:
    spec = type_spec(notice_type)
    if spec is None or spec.code == NoticeType.CORRECTION:
        # A correction needs its original: notice_correct makes it.
        raise ValidationFailed(_("Unknown notice type."), code="invalid_type", field="type")
    category = category or spec.category or (project.category if project is not None else None)
    if category not in Category.values:
        raise ValidationFailed(_("Choose one of the five trading categories."), code="invalid_category",
                               field="category")
    if project is not None and project.centre.region_id != region.pk:
        raise ValidationFailed(_("A project's notices are published in the region of its trading centre."),
                               code="region_mismatch", field="region")
    if not notice_publish_allowed(actor, notice_type=spec.code, region=region, project=project):
        raise PermissionDenied(_("You may not publish this notice."))
    title = _check_text(title, owner)
    cleaned = _clean_fields(spec, fields)
    with transaction.atomic():
        notice = _create(actor=actor, spec=spec, region=region, title=title, body_html=body_html, fields=cleaned,
                         project=project, category=category, attachments=attachments,
                         publicity_days=publicity_days, owner=owner)
        event_append(action="notices.notice.publish", actor=actor, obj=notice, payload=_payload(notice))
        revision_bump()
    return notice


def notice_correct(*, actor: Any, original: Notice, title: str, body_html: str, fields: dict, reason: str,
                   attachments: Sequence = ()) -> Notice:
    """A new notice of the correction type, linked to ``original``; the original is not touched."""
    if not notice_manageable(actor, original):
        raise PermissionDenied(_("You may not correct this notice."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Give the reason for the correction."), code="required", field="reason")
    spec = type_spec(NoticeType.CORRECTION)
    assert spec is not None
    title = _check_text(title, original.owner)
    cleaned = _clean_fields(spec, fields)
    cleaned["original"] = original.code  # a system field: the platform's, whatever was sent
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=original.pk)
        NOTICE_MOVES.target("correct", locked.status)
        notice = _create(actor=actor, spec=spec, region=original.region, title=title, body_html=body_html,
                         fields=cleaned, project=original.project, category=original.category,
                         attachments=attachments, publicity_days=None, owner=original.owner, corrects=locked,
                         correction_reason=reason.strip())
        event_append(action="notices.notice.correct", actor=actor, obj=notice,
                     payload={**_payload(notice), "corrects": original.code})
        revision_bump()
    return notice


def notice_withdraw(*, actor: Any, notice: Notice, reason: str) -> Notice:
    """The notice stays public with a withdrawn banner; its publicity window no longer runs."""
    if not notice_manageable(actor, notice):
        raise PermissionDenied(_("You may not withdraw this notice."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Give the reason for the withdrawal."), code="required", field="reason")
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        locked.status = NOTICE_MOVES.target("withdraw", locked.status)
        locked.withdrawn_at = db_now()
        locked.withdraw_reason = reason.strip()
        locked.next_check_at = None
        locked.save(update_fields=["status", "withdrawn_at", "withdraw_reason", "next_check_at"])
        event_append(action="notices.notice.withdraw", actor=actor, obj=locked,
                     payload={"code": locked.code, "type": locked.type})
        revision_bump()
    return locked


def notice_publicity_close(notice: Notice, now: dt.datetime) -> None:
    """Chronograph handler (runs in the worker's transaction with the row locked): close a window whose end
    has passed, record it, and let the owning workflow react."""
    if notice.publicity_closes_at is None or notice.publicity_closed_at is not None:
        notice.next_check_at = None
        notice.save(update_fields=["next_check_at"])
        return
    if notice.publicity_closes_at > now:  # not due (clock moved, or a longer period): check again then
        notice.next_check_at = notice.publicity_closes_at
        notice.save(update_fields=["next_check_at"])
        return
    notice.publicity_closed_at = now
    notice.next_check_at = None
    notice.save(update_fields=["publicity_closed_at", "next_check_at"])
    event_append(action="notices.notice.publicity_closed", actor="worker", obj=notice,
                 payload={"code": notice.code, "type": notice.type, "owner": notice.owner})
    revision_bump()
    handler = publicity.handler_for(notice.owner) if notice.owner else None
    if handler is not None:
        handler(notice)
