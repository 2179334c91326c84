"""Demo sales of 丽水市第一人民医院 at the city centre: a land parcel in its listing period (挂牌, with one
offer), a state-asset transfer open for applications, and a reverse auction of office computers running now.
The demo supplier (丽水青瓷建设工程有限公司, user ``supplier``) is a qualified bidder of all three. The periods
of the land listing and the reverse auction are set in the past/future relative to now so each lot is in
the state described (the rule warnings of the shortened periods are shown on the lot page). Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from yangguang.accounts.models import Organisation, Region, User
from yangguang.accounts.states import OrganisationKind
from yangguang.catalogue.models import CatalogueItem
from yangguang.catalogue.selectors import version_in_force
from yangguang.catalogue.states import Category, FundingSource
from yangguang.core.dbclock import db_now

from . import services
from .models import Lot
from .states import LotStatus, Variant

OWNER = "丽水市第一人民医院"
LAND = "南明山街道LS-2026-08号地块国有建设用地使用权"
ASSET = "医院闲置医疗设备一批（CT机2台、监护仪40台）"
REVERSE = "丽水市第一人民医院办公计算机120台"


def _project(name: str, category: str, budget: str, source: str, staff: User, purchaser: User) -> object | None:
    from yangguang.projects import services as projects
    from yangguang.projects.models import Project

    found = Project.objects.filter(name=name).first()
    if found is not None:
        return found
    region = Region.objects.get(code="331100")
    version = version_in_force(region)
    item = (CatalogueItem.objects.filter(type__version=version, type__category=category)
            .order_by("type__position", "position", "pk").first()) if version else None
    if item is None:
        return None
    data = projects.ProjectData(
        name=name, category=category, catalogue_item=item, region=region, budget=Decimal(budget),
        fundings=[(source, Decimal(budget))], responsible_leader="王院长", responsible_section="资产管理科",
        responsible_person="李采购", responsible_phone="0578-2780000", description="竞价演示项目。")
    project = projects.project_register(actor=purchaser, data=data)
    project = projects.project_submit(actor=purchaser, project=project)
    return projects.project_accept(actor=staff, project=project)


def _shift(lot: Lot, starts: dt.datetime, ends: dt.datetime) -> Lot:
    """Place the demo lot's period around now and let the chronograph's step open it."""
    from django.db import transaction

    with transaction.atomic():
        locked = Lot.objects.select_for_update().get(pk=lot.pk)
        locked.listing_starts_at, locked.listing_ends_at = starts, ends
        locked.save(update_fields=["listing_starts_at", "listing_ends_at"])
        services.lot_check_due(locked, db_now())
    return Lot.objects.get(pk=lot.pk)


def _qualify(lot: Lot, supplier: User, staff: User) -> None:
    registration = services.registration_apply(actor=supplier, lot=lot)
    if registration.status == "applied":
        services.deposit_notify(notification_id=f"DEMO-BANK-{registration.pk}", deposit_ref=registration.deposit_ref,
                                amount=lot.deposit)
    services.registration_approve(actor=staff, registration=registration)


def load() -> str:
    staff = User.objects.filter(username="staff").first()
    purchaser = User.objects.filter(username="purchaser").first()
    supplier = User.objects.filter(username="supplier").first()
    if staff is None or purchaser is None or supplier is None or not Organisation.objects.filter(
            name=OWNER, kind=OrganisationKind.PURCHASER).exists():
        return "accounts demo not loaded: no demo lots"
    now = db_now()
    created = 0
    if not Lot.objects.filter(title=LAND).exists():
        project = _project(f"{LAND}挂牌出让", Category.LAND, "32000000.00", FundingSource.STATE_ASSET_PROCEEDS, staff,
                           purchaser)
        if project is not None:
            lot = services.lot_create(
                actor=staff, project=project, variant=Variant.LAND_LISTING, title=LAND,
                description="位于丽水市莲都区南明山街道，面积12000平方米，商住用地，出让年限住宅70年、商业40年，"
                            "容积率≤2.5，建筑密度≤30%，绿地率≥30%。",
                eligibility="中华人民共和国境内外的法人和其他组织（法律另有规定者除外），可单独或联合申请。",
                starting_price="32000000.00", reserve_price="35000000.00", increment="200000.00",
                deposit="6400000.00", listing_starts_at=now + dt.timedelta(days=21),
                listing_ends_at=now + dt.timedelta(days=40), countdown_seconds=300,
                details={"documents_how": "在本平台标的页面下载挂牌出让文件"})
            lot, _w = services.lot_announce(actor=staff, lot=lot)
            _qualify(lot, supplier, staff)
            lot = _shift(lot, now - dt.timedelta(days=4), now + dt.timedelta(days=10))
            if lot.status == LotStatus.LISTING:
                services.bid_place(actor=supplier, lot=lot, amount="32000000.00", idempotency_key="demo-land-1")
            created += 1
    if not Lot.objects.filter(title=ASSET).exists():
        project = _project("医院闲置医疗设备资产转让", Category.STATE_ASSETS, "1200000.00",
                           FundingSource.STATE_ASSET_PROCEEDS, staff, purchaser)
        if project is not None:
            lot = services.lot_create(
                actor=staff, project=project, variant=Variant.ASSET_MULTI_ROUND, title=ASSET,
                description="2016—2018年购置，已停用，现状交付。", starting_price="1200000.00",
                reserve_price="1200000.00", increment="10000.00", deposit="100000.00",
                listing_starts_at=now + dt.timedelta(days=29), listing_ends_at=now + dt.timedelta(days=31),
                countdown_seconds=300,
                details={"shareholders": "不适用（实物资产转让）", "approval": "丽卫财〔2026〕8号",
                         "financials": "账面原值860万元，净值95万元", "appraisal": "评估值118万元，已备案"})
            lot, _w = services.lot_announce(actor=staff, lot=lot)
            _qualify(lot, supplier, staff)
            created += 1
    if not Lot.objects.filter(title=REVERSE).exists():
        project = _project("办公计算机批量采购（反向竞价）", Category.GOVERNMENT_PROCUREMENT, "720000.00",
                           FundingSource.BUDGET, staff, purchaser)
        if project is not None:
            lot = services.lot_create(
                actor=staff, project=project, variant=Variant.REVERSE, title=REVERSE,
                description="台式计算机120台，i5/16G/512G SSD，三年上门保修。最高限价72万元。",
                starting_price="720000.00", increment="2000.00", deposit="0.00",
                listing_starts_at=now + dt.timedelta(days=1), listing_ends_at=now + dt.timedelta(days=2),
                countdown_seconds=120)
            lot, _w = services.lot_announce(actor=staff, lot=lot)
            _qualify(lot, supplier, staff)
            _shift(lot, now - dt.timedelta(minutes=5), now + dt.timedelta(hours=4))
            created += 1
    return f"{created} demo lots created ({Lot.objects.count()} in all)"
