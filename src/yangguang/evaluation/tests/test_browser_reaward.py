"""Browser: the purchaser's room after a re-award (工程: the new candidate publicity; an objection answered late
with its reminder), the bidder's own result with its answer deadline, and the 政采 correction notice on the
portal naming the new winner.

Screenshots: var/screenshots/evaluation-reaward-*.png."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser import login, shot

pytestmark = [pytest.mark.browser]


def test_reaward_objection_timer_and_correction_pages(page, live_server, settings, relaxed_log) -> None:
    from yangguang.accounts import demo as accounts_demo
    from yangguang.accounts.models import User
    from yangguang.core.chronograph import chronograph_run
    from yangguang.notices.models import Notice

    from .. import services
    from ..states import CandidateGround
    from . import factories as f

    accounts_demo.load()
    base, password = live_server.url, accounts_demo.DEMO_PASSWORD
    User.objects.filter(username="purchaser").update(email="buyer@example.cn")

    # 工程: award, the winner gives up, the next candidate is publicised again, a bidder objects and the answer
    # is late (the reminder before the deadline, then the overdue flag).
    works = f.reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=works)
    works = f.publicity_over(works)
    refs = [r["ref"] for r in services.ranked(works)]
    award = services.award_confirm(actor=f.purchaser(), evaluation=works)
    services.candidate_withdraw(actor=f.purchaser(), evaluation=works, tenderer=award.tenderer,
                                ground=CandidateGround.GAVE_UP, reason="中标人书面放弃中标")
    objector = User.objects.filter(organisation_id=works.tenderers.get(ref=refs[2]).organisation_id or 0).first()
    assert objector is not None
    objection = services.objection_file(actor=objector, evaluation=works, text="对重新公示的第一名业绩有异议")
    assert objection.reply_due is not None
    chronograph_run(now=objection.reply_due - dt.timedelta(hours=1))
    chronograph_run(now=objection.reply_due + dt.timedelta(seconds=1))

    login(page, base, "purchaser", password)
    page.goto(f"{base}/evaluation/{works.pk}/")
    content = page.content()
    assert "已发送的提醒" in content and "答复逾期" in content and "答复期限" in content
    page.locator("text=已发送的提醒").scroll_into_view_if_needed()
    shot(page, "evaluation-reaward-room-works")
    works.refresh_from_db()
    republished = Notice.objects.get(pk=works.publicity_notice_id or 0)
    page.goto(f"{base}{republished.get_absolute_url()}")
    assert "重新公示" in page.content()
    shot(page, "evaluation-reaward-portal-republished")

    # 政采: the winner gives up after the award; the next award corrects the result notice.
    goods = f.procurement_reported()
    services.publicity_publish(actor=f.purchaser(), evaluation=goods)
    first = services.award_confirm(actor=f.purchaser(), evaluation=goods)
    services.candidate_withdraw(actor=f.purchaser(), evaluation=goods, tenderer=first.tenderer,
                                ground=CandidateGround.GAVE_UP, reason="放弃")
    second = services.award_confirm(actor=f.purchaser(), evaluation=goods)
    correction = Notice.objects.get(pk=second.result_notice_id or 0)
    page.goto(f"{base}{correction.get_absolute_url()}")
    assert second.tenderer.name in page.content()
    shot(page, "evaluation-reaward-portal-correction")

    # The objecting bidder sees its answer deadline and the overdue flag on its own result page.
    page.click("form[action$='/accounts/logout/'] button")
    page.wait_for_url(base + "/")
    login(page, base, objector.username, "Tender-2026-secure")
    page.goto(f"{base}/evaluation/{works.pk}/result/")
    content = page.content()
    assert "答复逾期" in content and "已发送的提醒" not in content
    shot(page, "evaluation-reaward-bidder-result")
