"""Test data for auctions: accepted projects, bidder organisations, lots moved through the real services, and
helpers that move a lot's clock (its stored period ends, relative to the database clock)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from yangguang.accounts.models import Organisation, Region, User
from yangguang.accounts.states import OrganisationKind, Role
from yangguang.catalogue.states import Category, FundingSource
from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.projects.models import Project
from yangguang.projects.states import ProjectStatus
from yangguang.projects.tests.factories import project_make

from .. import services
from ..models import Lot, Registration
from ..states import LotStatus, Variant

_serial = itertools.count(1)

LAND_DETAILS = {"parcel": "丽水市莲都区南明山街道LS-2026-08号地块，面积12000平方米，商住用地，出让年限70年，容积率≤2.5"}
ASSET_DETAILS = {"shareholders": "丽水市国资委100%", "approval": "丽国资〔2026〕12号",
                 "financials": "2025年营收1.2亿元",
                 "appraisal": "评估值1000万元，已备案"}


def project(category: str = Category.LAND, name: str = "") -> Project:
    funding = (FundingSource.STATE_ASSET_PROCEEDS if category != Category.GOVERNMENT_PROCUREMENT
               else FundingSource.BUDGET)
    return project_make(status=ProjectStatus.ACCEPTED, category=category, name=name or f"竞价测试项目{next(_serial)}",
                        budget="9500000.00", fundings=[(funding, "9500000.00")], with_agency=False)


def bidder(name: str = "", username: str = "") -> User:
    """A bidder organisation (registered as a supplier organisation) and its user."""
    number = next(_serial)
    org = Organisation.objects.create(name=name or f"丽水竞买测试{number}有限公司", kind=OrganisationKind.SUPPLIER,
                                      region=Region.objects.get(code="331100"))
    user = User(username=username or f"bidder{number}", role=Role.SUPPLIER, organisation=org)
    user.set_password("yangguang-demo")
    user.save()
    return user


def staff() -> User:
    return User.objects.get(username="staff")


def make_lot(variant: str = Variant.LAND_LISTING, *, category: str | None = None, announce: bool = True,
             **overrides: Any) -> Lot:
    defaults: dict[str, str] = {Variant.REVERSE: Category.GOVERNMENT_PROCUREMENT,
                                Variant.ASSET_SEALED: Category.STATE_ASSETS,
                                Variant.ASSET_MULTI_ROUND: Category.STATE_ASSETS}
    category = category or defaults.get(variant, Category.LAND)
    now = db_now()
    values: dict[str, Any] = {
        "title": "南明山街道LS-2026-08号地块", "starting_price": "10000000.00", "increment": "100000.00",
        "deposit": "2000000.00", "reserve_price": "10500000.00" if variant != Variant.REVERSE else None,
        "listing_starts_at": now + dt.timedelta(days=30), "listing_ends_at": now + dt.timedelta(days=50),
        "countdown_seconds": 300, "description": "商住用地，12000平方米", "eligibility": "依法设立的企业法人",
        "details": LAND_DETAILS if category == Category.LAND else ASSET_DETAILS,
    }
    values.update(overrides)
    lot = services.lot_create(actor=staff(), project=project(category), variant=variant, **values)
    if announce:
        lot, _findings = services.lot_announce(actor=staff(), lot=lot)
    return lot


def qualify(lot: Lot, user: User) -> Registration:
    registration = services.registration_apply(actor=user, lot=lot)
    if registration.status == "applied":
        services.deposit_notify(notification_id=f"BANK-{registration.pk}", deposit_ref=registration.deposit_ref,
                                amount=lot.deposit)
    return services.registration_approve(actor=staff(), registration=registration)


def open_now(lot: Lot, *, ends_in: dt.timedelta = dt.timedelta(hours=1)) -> Lot:
    """Move the bidding period so it started a second ago and ends ``ends_in`` from now; let the chronograph
    open the sale."""
    now = db_now()
    Lot.objects.filter(pk=lot.pk).update(listing_starts_at=now - dt.timedelta(seconds=1),
                                         listing_ends_at=now + ends_in, next_check_at=now - dt.timedelta(seconds=1))
    chronograph_run()
    return Lot.objects.get(pk=lot.pk)


def end_listing(lot: Lot) -> Lot:
    """The listing period ended (and settled) just now; the chronograph decides what follows."""
    now = db_now()
    ended = now - services.settle_delay() - dt.timedelta(milliseconds=5)
    Lot.objects.filter(pk=lot.pk).update(listing_ends_at=ended, next_check_at=ended)
    chronograph_run()
    return Lot.objects.get(pk=lot.pk)


def end_countdown(lot: Lot) -> Lot:
    now = db_now()
    ended = now - services.settle_delay() - dt.timedelta(milliseconds=5)
    Lot.objects.filter(pk=lot.pk).update(countdown_ends_at=ended, next_check_at=ended)
    chronograph_run()
    return Lot.objects.get(pk=lot.pk)


def live_land_lot(bidders: list[User], *, countdown: int = 300, **overrides: Any) -> tuple[Lot, list[Registration]]:
    """A land listing whose bidders all asked to continue, now in its timed session."""
    lot = make_lot(Variant.LAND_LISTING, countdown_seconds=countdown, **overrides)
    registrations = [qualify(lot, user) for user in bidders]
    lot = open_now(lot)
    assert lot.status == LotStatus.LISTING
    for user in bidders:
        services.registration_request_live(actor=user, lot=lot)
    lot = end_listing(lot)
    assert lot.status == LotStatus.LIVE, lot.status
    return lot, [Registration.objects.get(pk=r.pk) for r in registrations]


def amount(value: int | str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
