"""Notices over JSON. Reading is public; publishing, correcting and withdrawing need a signed-in publisher.

``GET /api/v1/notices`` counts exactly up to 10,000 matches; beyond that ``count_is_estimate`` is true and
``count`` is either 10,000 as a lower bound (``count_is_lower_bound``, SQLite) or the database planner's
estimate (PostgreSQL), see :mod:`.selectors`. Withdrawn notices stay listed with
``status = "withdrawn"``: the public record keeps them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.security import django_auth

from yangguang.accounts.access import api_require
from yangguang.core.errors import NotFound, ValidationFailed
from yangguang.projects.models import Project

from . import services
from .access import PUBLISHER_ROLES
from .selectors import (
    notice_as_item,
    notice_corrections,
    notice_get,
    notice_query_parse,
    notice_search,
    region_by_code,
)

router = Router(tags=["notices"])


class NoticeItem(Schema):
    id: int
    code: str
    type: str
    title: str
    category: str
    region: str
    status: str
    published_at: dt.datetime
    url: str


class NoticePage(Schema):
    count: int
    count_is_estimate: bool
    count_is_lower_bound: bool
    page: int
    items: list[NoticeItem]


class AttachmentOut(Schema):
    name: str
    size: int
    sha256: str
    url: str


class LinkOut(Schema):
    id: int
    code: str
    title: str
    url: str


class PublicityOut(Schema):
    days: int
    unit: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    closed: bool


class NoticeOut(NoticeItem):
    type_label: str
    project_code: str | None
    owner: str
    body_html: str
    fields: dict[str, str]
    field_labels: dict[str, str]
    attachments: list[AttachmentOut]
    corrects: LinkOut | None
    corrections: list[LinkOut]
    publicity: PublicityOut | None
    withdrawn_at: dt.datetime | None
    withdraw_reason: str


class NoticeIn(Schema):
    type: str
    region: str
    title: str
    body_html: str = ""
    fields: dict[str, Any] = {}
    project_id: int | None = None
    category: str | None = None
    publicity_days: int | None = None
    owner: str = ""


class CorrectionIn(Schema):
    title: str
    body_html: str = ""
    fields: dict[str, Any] = {}
    reason: str


class WithdrawIn(Schema):
    reason: str


def _link(notice: Any) -> dict:
    return {"id": notice.pk, "code": notice.code, "title": notice.title, "url": notice.get_absolute_url()}


def _detail(notice: Any) -> dict:
    spec = notice.spec
    data = notice_as_item(notice)
    data.update({
        "type_label": str(notice.get_type_display()),
        "project_code": notice.project.code if notice.project_id else None,
        "owner": notice.owner, "body_html": notice.body_html, "fields": notice.fields,
        "field_labels": {key: spec.field_label(key) if spec else key for key in notice.fields},
        "attachments": [{"name": a.name, "size": a.size, "sha256": a.sha256, "url": a.get_absolute_url()}
                        for a in notice.attachments.all()],
        "corrects": _link(notice.corrects) if notice.corrects_id else None,
        "corrections": [_link(c) for c in notice_corrections(notice)],
        "publicity": None if notice.publicity_closes_at is None else {
            "days": notice.publicity_days, "unit": notice.publicity_unit, "opens_at": notice.publicity_opens_at,
            "closes_at": notice.publicity_closes_at, "closed": notice.publicity_closed_at is not None},
        "withdrawn_at": notice.withdrawn_at, "withdraw_reason": notice.withdraw_reason,
    })
    return data


@router.get("", response=NoticePage, summary="Search and list notices (public)")
def notice_list(request: HttpRequest, q: str = "", type: str = "", category: str = "",
                region: str = "", date_from: str = "", date_to: str = "", page: int = 1) -> dict:
    query = notice_query_parse(q=q, type=type, category=category, region=region, date_from=date_from,
                              date_to=date_to, page=page)
    result = notice_search(query)
    return {"count": result.count, "count_is_estimate": result.count_is_estimate,
            "count_is_lower_bound": result.count_is_lower_bound, "page": result.page,
            "items": [notice_as_item(n) for n in result.items]}


@router.get("/{notice_id}", response=NoticeOut, summary="One notice with its fields and attachments (public)")
def notice_detail(request: HttpRequest, notice_id: int) -> dict:
    notice = notice_get(notice_id)
    if notice is None:
        raise NotFound(_("No such notice."))
    return _detail(notice)


@router.post("", response={201: NoticeOut}, auth=django_auth, summary="Publish a notice")
def notice_create(request: HttpRequest, body: NoticeIn) -> Status:
    user = api_require(request, *PUBLISHER_ROLES)
    project = None
    if body.project_id is not None:
        project = Project.objects.select_related("centre").filter(pk=body.project_id).first()
        if project is None:
            raise ValidationFailed(_("Unknown project."), code="unknown_project", field="project_id")
    notice = services.notice_publish(
        actor=user, notice_type=body.type, region=region_by_code(body.region), title=body.title,
        body_html=body.body_html, fields=body.fields, project=project, category=body.category,
        publicity_days=body.publicity_days, owner=body.owner)
    return Status(201, _detail(notice_get(notice.pk)))


def _existing(notice_id: int) -> Any:
    notice = notice_get(notice_id)
    if notice is None:
        raise NotFound(_("No such notice."))
    return notice


@router.post("/{notice_id}/correct", response={201: NoticeOut}, auth=django_auth,
             summary="Publish a correction of a notice")
def notice_correct(request: HttpRequest, notice_id: int, body: CorrectionIn) -> Status:
    user = api_require(request, *PUBLISHER_ROLES)
    correction = services.notice_correct(actor=user, original=_existing(notice_id), title=body.title,
                                         body_html=body.body_html, fields=body.fields, reason=body.reason)
    return Status(201, _detail(notice_get(correction.pk)))


@router.post("/{notice_id}/withdraw", response=NoticeOut, auth=django_auth, summary="Withdraw a notice")
def notice_withdraw(request: HttpRequest, notice_id: int, body: WithdrawIn) -> dict:
    user = api_require(request, *PUBLISHER_ROLES)
    services.notice_withdraw(actor=user, notice=_existing(notice_id), reason=body.reason)
    return _detail(notice_get(notice_id))
