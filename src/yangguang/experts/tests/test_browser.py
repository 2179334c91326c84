"""Browser journey: staff draw experts (sealed), the drawn expert accepts on their page, two officials
release the list at the evaluation start, staff publish the audit package; and the expert page fits a phone.

Screenshots: var/screenshots/experts-*.png."""

from __future__ import annotations

import pytest

from tests.browser import login, shot

pytestmark = [pytest.mark.browser]


def _signout(page, base: str) -> None:
    page.click("text=退出")
    page.wait_for_url(base + "/")


def test_draw_accept_release_publish(page, live_server) -> None:
    from yangguang.accounts import demo as accounts_demo
    from yangguang.accounts.models import User
    from yangguang.experts.models import DrawSlot, Expert
    from yangguang.experts.states import SlotState
    from yangguang.experts.tests.factories import evaluation_begins, experts_make, request_make, specialties_make

    accounts_demo.load()
    specialties_make()
    experts_make(9, specialty="A01")
    base, password = live_server.url, accounts_demo.DEMO_PASSWORD
    request = request_make(quotas=[("A01", 3)], backups=2, venue="第3评标室")

    login(page, base, "staff", password)
    page.goto(f"{base}/experts/draws/{request.pk}/")
    page.click("text=立即抽取")
    page.wait_for_load_state()
    assert "名单已密封" in page.content()
    shot(page, "experts-draw-sealed")

    # The demo expert account belongs to one invited expert; they accept on their page.
    slot = DrawSlot.objects.filter(draw__request=request, state=SlotState.INVITED).order_by("rank")[0]
    Expert.objects.filter(pk=slot.expert_id).update(user=User.objects.get(username="expert"))
    _signout(page, base)
    login(page, base, "expert", password)
    page.goto(f"{base}/experts/mine/")
    assert "第3评标室" in page.content()
    shot(page, "experts-invitation")
    page.click("button[name=answer][value=accept]")
    page.wait_for_load_state()
    assert "已确认参加" in page.content()

    evaluation_begins(request)
    for official in ("staff", "supervisor"):
        _signout(page, base)
        login(page, base, official, password)
        page.goto(f"{base}/experts/draws/{request.pk}/")
        page.click("text=确认开启名单")
        page.wait_for_load_state()
    slot.refresh_from_db()
    assert slot.expert.name in page.content()
    shot(page, "experts-draw-released")

    _signout(page, base)
    login(page, base, "staff", password)
    page.goto(f"{base}/experts/draws/{request.pk}/")
    page.click("text=公布审计包")
    page.wait_for_load_state()
    page.click("text=已公布的审计包")
    page.wait_for_load_state()
    assert "expert-draw/v1" in page.content()
    shot(page, "experts-audit")


def test_expert_pages_fit_a_phone(browser, live_server, relaxed_log) -> None:
    from yangguang.accounts import demo as accounts_demo
    from yangguang.experts import demo as experts_demo

    accounts_demo.load()
    experts_demo.load()
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = context.new_page()
    login(pg, live_server.url, "staff", accounts_demo.DEMO_PASSWORD)
    for path, name in (("/experts/pool/?specialty=A01", "experts-pool-phone"), ("/experts/specialties/",
                                                                                   "experts-specialties-phone")):
        pg.goto(live_server.url + path)
        width = pg.evaluate("document.documentElement.scrollWidth")
        shot(pg, name)
        assert width <= 375 + 1 or pg.locator(".table-scroll").count() > 0, f"{path} scrolls sideways ({width}px)"
    context.close()
