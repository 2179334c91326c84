"""The main journey in a browser, through the fast sandbox: the agency publishes, a supplier registers and
asks anonymously, the agency's late amendment postpones the deadline, and after the deadline the worker
moves the procedure to opening."""

from __future__ import annotations

import time

import pytest

from tests.browser import login, shot
from yangguang.accounts.demo import DEMO_PASSWORD
from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.tendering import services
from yangguang.tendering.models import Procedure

from .factories import PASSWORD, deadline_of, organisation_of, procedure_draft, supplier_make

pytestmark = [pytest.mark.browser]
SECONDS_PER_DAY = 0.5


def test_sandbox_journey_in_the_browser(page, live_server, demo, settings):
    from yangguang.projects.tests.factories import catalogue_setup

    settings.YANGGUANG_SANDBOX = True
    settings.YANGGUANG_SANDBOX_SECONDS_PER_DAY = SECONDS_PER_DAY
    catalogue_setup()
    procedure = procedure_draft()
    base = live_server.url

    login(page, base, "agency", DEMO_PASSWORD)
    page.goto(f"{base}/tendering/{procedure.pk}/")
    page.click("text=校验并发布")
    page.wait_for_selector("text=投标进行中")
    shot(page, "tendering-published-agency")
    assert "报名单位的名称和数量保密" in page.content()

    bidders = [supplier_make() for _ in range(5)]
    lot = Procedure.objects.get(pk=procedure.pk).lots.get()
    for bidder in bidders[1:]:
        services.registration_create(actor=bidder, lot=lot)
    page.context.clear_cookies()
    login(page, base, bidders[0].username, PASSWORD)
    page.goto(f"{base}/tendering/{procedure.pk}/")
    page.click("button:has-text('报名')")
    page.wait_for_selector("text=报名成功")
    page.fill("textarea[name=text]", "是否允许分包非主体工程？")
    page.click("text=匿名提问")
    page.wait_for_selector("text=您的问题已匿名提交")
    shot(page, "tendering-supplier-registered")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "tendering-supplier-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    procedure.refresh_from_db()
    legal_deadline = procedure.bid_deadline
    assert legal_deadline is not None and deadline_of(procedure) is not None
    while (deadline_of(procedure) - db_now()).total_seconds() > 12 * SECONDS_PER_DAY:
        time.sleep(0.2)
    page.context.clear_cookies()
    login(page, base, "agency", DEMO_PASSWORD)
    page.goto(f"{base}/tendering/{procedure.pk}/")
    content = page.content()
    assert "是否允许分包非主体工程" in content and organisation_of(bidders[0]).name not in content
    page.fill("form[action$='/clarify/'] textarea[name=text]", "允许分包非主体工程，招标文件第二章相应修改。")
    page.check("input[name=affects_preparation]")
    page.check("input[name=answers]")
    page.click("text=发布并送达所有已报名投标人")
    page.wait_for_selector("text=依规则 G-012 顺延")
    shot(page, "tendering-amendment-postponed")
    procedure.refresh_from_db()
    assert procedure.bid_deadline is not None and deadline_of(procedure) is not None
    assert procedure.bid_deadline > legal_deadline

    while db_now() < deadline_of(procedure):
        time.sleep(0.3)
    chronograph_run()
    page.goto(f"{base}/tendering/{procedure.pk}/")
    # Five registered but nobody sealed a bid: the worker's deadline steps (tendering closes bidding, the
    # bidding app counts the sealed bids) fail the tender without anyone's hand.
    page.wait_for_selector("text=招标失败（投标人不足）")
    assert "5 家报名" in page.content()
    shot(page, "tendering-deadline-no-bids")
