"""Test data for the expert pool and draws: a small specialty tree, experts in bulk, a project, requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from yangguang.accounts.models import Region, User
from yangguang.core.dbclock import db_now
from yangguang.projects.models import Project
from yangguang.projects.states import ProjectStatus
from yangguang.projects.tests.factories import project_make
from yangguang.suppliers.credit_code import credit_code_generate

from ..id_number import id_number_check_char
from ..models import DrawRequest, Expert, ExpertSpecialty, Specialty
from ..services import draw_request_create
from ..states import ExpertStatus, TitleLevel

TREE = [("A", "工程类", None), ("A01", "房屋建筑", "A"), ("A02", "市政工程", "A"), ("B", "经济类", None),
        ("B01", "工程造价", "B"), ("C", "货物类", None), ("C01", "医疗设备", "C")]


def specialties_make() -> dict[str, Specialty]:
    found: dict[str, Specialty] = {}
    for code, name, parent in TREE:
        found[code], _created = Specialty.objects.get_or_create(
            code=code, defaults={"name": name, "parent": found.get(parent) if parent else None})
    return found


def id_for(serial: int, region_code: str = "331100") -> str:
    """A valid, unique ID card number per serial: birth date and sequence number come from the serial."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(serial // 1000) % 15000)
    body = f"{region_code[:6]}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + id_number_check_char(body)


def code(serial: int) -> str:
    return credit_code_generate(serial=serial)


_serial = iter(range(10_000_000, 99_999_999, 7))


def experts_make(n: int, *, specialty: str = "A01", region_code: str = "331100", employer: str | None = None,
                 status: str = ExpertStatus.ACTIVE, names: Sequence[str] | None = None, **fields: Any) -> list[Expert]:
    """``n`` active experts in one specialty and region, inserted in bulk."""
    region = Region.objects.get(code=region_code)
    spec = Specialty.objects.get(code=specialty)
    today = db_now().date()
    experts = []
    for i in range(n):
        serial = next(_serial)
        experts.append(Expert(
            name=names[i] if names else f"专家{serial}", id_number=id_for(serial, region_code),
            title_level=TitleLevel.SENIOR, title_name="高级工程师", employer_name="某设计院",
            employer_credit_code=employer or code(serial % 900_000 + 1000), region=region, phone="13800000000",
            status=status, term_start=today - dt.timedelta(days=365), term_end=today + dt.timedelta(days=365),
            **fields))
    Expert.objects.bulk_create(experts)
    ExpertSpecialty.objects.bulk_create([ExpertSpecialty(expert=e, specialty=spec, region=region) for e in experts])
    return experts


def project_for_draw(**kwargs: Any) -> Project:
    return project_make(status=ProjectStatus.ACCEPTED, **kwargs)


def request_make(project: Project | None = None, *, quotas: Sequence[tuple[str, int]] = (("A01", 3),),
                 days_ahead: int = 3, bidders: Sequence[str] = (), **kwargs: Any) -> DrawRequest:
    project = project or project_for_draw()
    staff = User.objects.get(username="staff")
    agency = project.agency.credit_code if project.agency is not None and project.agency.credit_code else ""
    return draw_request_create(actor=staff, project=project,
                               purchaser_credit_code=project.owner.credit_code or code(1),
                               agency_credit_code=agency, bidder_credit_codes=list(bidders), quotas=list(quotas),
                               evaluation_at=db_now() + dt.timedelta(days=days_ahead), **kwargs)


def evaluation_begins(request: DrawRequest) -> None:
    """Move the evaluation start into the past (tests cannot wait for the clock)."""
    DrawRequest.objects.filter(pk=request.pk).update(evaluation_at=db_now() - dt.timedelta(minutes=1))
    request.refresh_from_db()


def draw_released(request: DrawRequest | None = None, **kwargs: Any):
    """A run draw whose evaluation has started, released by centre staff and the housing supervisor."""
    from ..models import Draw
    from ..services import draw_release, draw_run

    request = request or request_make(**kwargs)
    draw = Draw.objects.filter(request=request).first() or draw_run(actor=User.objects.get(username="staff"),
                                                                     request=request)
    evaluation_begins(request)
    draw_release(actor=User.objects.get(username="staff"), draw=draw)
    draw_release(actor=User.objects.get(username="supervisor"), draw=draw)
    draw.refresh_from_db()
    return draw


def draw_published(request: DrawRequest | None = None, **kwargs: Any):
    from ..services import draw_publish_audit

    draw = draw_released(request, **kwargs)
    return draw_publish_audit(actor=User.objects.get(username="staff"), draw=draw)
