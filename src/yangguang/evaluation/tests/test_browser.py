"""End-to-end through the browser, in the sandbox: a concluded opening (bidding's factory) → the centre opens
the evaluation and seats the released draw → five experts sign in, declare, elect a chair → reviews → each
expert scores alone on the scoring screen → report generated and signed by all → the purchaser publishes
the candidate publicity → the window closes → award → contract and its notice, both notices on the portal;
the losing bidder sees its own result.

Screenshots: var/screenshots/evaluation-*.png."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser import login, shot

pytestmark = [pytest.mark.browser]


def _signout(page, base: str) -> None:
    page.click("form[action$='/accounts/logout/'] button")
    page.wait_for_url(base + "/")


def _as(page, base: str, who, password: str) -> None:
    """Sign out and in again as ``who`` (a username, or a user account)."""
    _signout(page, base)
    login(page, base, who if isinstance(who, str) else who.username, password)


def test_opening_to_contract_notice(page, live_server, settings) -> None:
    from yangguang.accounts import demo as accounts_demo
    from yangguang.bidding.tests.factories import opened_lot
    from yangguang.notices.models import Notice
    from yangguang.notices.services import notice_publicity_close
    from yangguang.tendering.tests.factories import organisation_of

    from .. import services
    from ..models import Evaluation
    from ..states import EvaluationStatus
    from . import factories as f

    settings.YANGGUANG_SANDBOX = True
    accounts_demo.load()
    base, password = live_server.url, accounts_demo.DEMO_PASSWORD
    procedure = f.procedure_in()
    lot = procedure.lots.get()
    users = f.bidders(3)
    f.bids_for(lot, users, ["4500000", "4300000", "4650000"])  # their securities
    f.bids_closed(procedure)
    opened_lot(lot, [{"organisation": organisation_of(u), "total_price": p, "enterprise_size": "medium",
                      "terms": {"duration_days": "300", "quality": "合格"}}
                     for u, p in zip(users, ["4500000", "4300000", "4650000"], strict=True)])
    draw = f.released_draw(procedure, experts=5)

    # The centre opens the evaluation from the list of opened lots and seats the released draw.
    login(page, base, "staff", password)
    page.goto(f"{base}/evaluation/")
    page.click("text=启动评标")
    page.wait_for_load_state()
    evaluation = Evaluation.objects.get(lot=lot)
    assert evaluation.tenderers.count() == 3
    page.select_option("select[name=draw]", str(draw.pk))
    page.click("text=专家入席")
    page.wait_for_load_state()
    shot(page, "evaluation-room-committee")

    members = f.members(evaluation)
    assert len(members) == 5
    chair = members[0]
    for m in members:
        _as(page, base, m.user, f.PASSWORD)
        page.goto(f"{base}/evaluation/{evaluation.pk}/")
        page.click("button:has-text('签到')")
        page.wait_for_load_state()
        page.click("text=签署声明")
        page.wait_for_load_state()
        page.select_option("select[name=candidate]", str(chair.pk))
        page.click("button:has-text('投票')")
        page.wait_for_load_state()
    assert "当选组长" in page.content() or services.seated(evaluation)[0].is_chair
    _as(page, base, "staff", password)
    page.goto(f"{base}/evaluation/{evaluation.pk}/")
    page.click("text=开始评标")
    page.wait_for_load_state()
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.IN_SESSION

    # The chair records one finding through the page; the rest of the checklist through the service.
    _as(page, base, chair.user, f.PASSWORD)
    page.goto(f"{base}/evaluation/{evaluation.pk}/")
    page.click("form[action$='/do/review/'] button")
    page.wait_for_load_state()
    assert "已记录评审结论" in page.content()
    for t in evaluation.tenderers.all():
        for code, _kind, _label in evaluation.checklist:
            services.review_record(actor=chair.user, evaluation=evaluation, tenderer=t, item=code, passed=True)
    page.goto(f"{base}/evaluation/{evaluation.pk}/")
    page.click("text=结束审查并开启评分")
    page.wait_for_load_state()
    shot(page, "evaluation-room-reviews")

    # Five experts score alone on the scoring screen.
    for n, m in enumerate(f.members(evaluation)):
        _as(page, base, m.user, f.PASSWORD)
        page.goto(f"{base}/evaluation/{evaluation.pk}/score/")
        for i, field in enumerate(page.locator("input[name^=s_]").all()):
            top = float(field.get_attribute("max") or "0")
            field.fill(f"{top * (0.6 + 0.05 * ((i + n) % 5)):.2f}")
        if n == 0:
            page.click("button[name=save]")
            page.wait_for_load_state()
            shot(page, "evaluation-score-sheet")
        page.click("button[name=submit]")
        page.wait_for_load_state()
        assert "您的评分已提交" in page.content()
    evaluation.refresh_from_db()
    assert evaluation.outcome is not None

    _as(page, base, "staff", password)
    page.goto(f"{base}/evaluation/{evaluation.pk}/")
    page.click("text=生成评标报告")
    page.wait_for_load_state()
    for m in f.members(evaluation):
        _as(page, base, m.user, f.PASSWORD)
        page.goto(f"{base}/evaluation/{evaluation.pk}/")
        page.click("button:has-text('签署评标报告')")
        page.wait_for_load_state()
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REPORTED

    _as(page, base, "purchaser", password)
    page.goto(f"{base}/evaluation/{evaluation.pk}/")
    shot(page, "evaluation-room-reported")
    page.click("text=在门户网站发布结果")
    page.wait_for_load_state()
    evaluation.refresh_from_db()
    publicity = Notice.objects.get(pk=evaluation.publicity_notice_id or 0)
    assert publicity.type == "candidate_publicity"
    # The chronograph closes the publicity window at its end.
    assert publicity.publicity_closes_at is not None
    from django.db import transaction

    with transaction.atomic():
        notice_publicity_close(Notice.objects.select_for_update().get(pk=publicity.pk),
                               publicity.publicity_closes_at + dt.timedelta(seconds=1))
    page.goto(f"{base}/evaluation/{evaluation.pk}/")
    first = evaluation.tenderers.get(ref=services.ranked(evaluation)[0]["ref"])
    page.click(f"text=确定 {first.ref} {first.name} 为中标人")
    page.wait_for_load_state()
    assert "已确定中标人" in page.content()
    shot(page, "evaluation-room-awarded")
    # Every legal field of the contract notice is required: one left empty keeps the form (and nothing else).
    for name, value in f.contract_fields().items():
        page.fill(f"[name={name}]", value)
    page.fill("[name=liability]", "")
    page.click("text=登记合同并发布合同公告")
    assert Evaluation.objects.get(pk=evaluation.pk).status == EvaluationStatus.AWARDED
    page.fill("[name=liability]", f.contract_fields()["liability"])
    page.click("text=登记合同并发布合同公告")
    page.wait_for_load_state()
    assert "合同已登记" in page.content()
    shot(page, "evaluation-room-contracted")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.CONTRACTED

    # Both notices are on the portal.
    contract_notice = Notice.objects.get(pk=evaluation.contract.notice_id or 0)
    for notice in (publicity, contract_notice):
        page.goto(f"{base}{notice.get_absolute_url()}")
        assert notice.title in page.content()
    shot(page, "evaluation-portal-contract-notice")

    # A losing bidder sees its own result and rank.
    loser = evaluation.tenderers.exclude(pk=evaluation.award.tenderer_id).first()
    assert loser is not None
    loser_user = next(u for u in users if u.organisation_id == loser.organisation_id)
    _as(page, base, loser_user.username, "Tender-2026-secure")
    page.goto(f"{base}/evaluation/{evaluation.pk}/result/")
    assert "我的排名" in page.content()
    shot(page, "evaluation-bidder-result")
    # The same page in English.
    page.goto(f"{base}/i18n/switch/?language=en&next=/evaluation/{evaluation.pk}/result/")
    page.wait_for_load_state()
    assert "My rank" in page.content()
    _as(page, base, "staff", password)
    page.goto(f"{base}/i18n/switch/?language=en&next=/evaluation/{evaluation.pk}/")
    page.wait_for_load_state()
    assert "Evaluation room" in page.content()
    shot(page, "evaluation-room-en")
