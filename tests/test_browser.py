"""Browser journeys in the system Chromium (Playwright), against a live server.

Screenshots go to var/screenshots/ so a person can look at each page after a run.
"""

from __future__ import annotations

import pytest

from tests.browser import login, shot

pytestmark = [pytest.mark.browser]


def test_each_demo_role_signs_in_and_sees_its_workbench(page, live_server):
    from yangguang.accounts import demo as accounts_demo
    from yangguang.accounts.states import Role

    accounts_demo.load()
    page.goto(live_server.url + "/")
    assert "公共资源" in page.title()
    shot(page, "portal-home")
    for username, role, *_rest in accounts_demo.DEMO_ACCOUNTS:
        login(page, live_server.url, username, accounts_demo.DEMO_PASSWORD)
        page.wait_for_url("**/accounts/workbench/")
        heading = page.locator("h1").inner_text()
        with_lang = Role(role).label
        # The workbench names the role in Chinese (the default language).
        assert "工作台" in heading, heading
        assert page.locator(".tile").count() >= 1, f"{username}: an empty workbench"
        shot(page, f"workbench-{username}")
        assert str(with_lang)  # the label exists for every role
        page.click("text=退出")
        page.wait_for_url(live_server.url + "/")


def test_public_switches_to_english_and_back(page, live_server):
    page.goto(live_server.url + "/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Public resource trading" in page.locator("h1").inner_text()
    shot(page, "portal-home-en")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"


def test_home_page_fits_a_phone(browser, live_server, relaxed_log):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = context.new_page()
    pg.goto(live_server.url + "/")
    width = pg.evaluate("document.documentElement.scrollWidth")
    shot(pg, "portal-home-phone")
    context.close()
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"


def test_supplier_registers_and_centre_staff_approves(page, live_server):
    from yangguang.accounts import demo as accounts_demo
    from yangguang.suppliers.credit_code import credit_code_generate

    accounts_demo.load()
    code = credit_code_generate(region_code="331100", serial=90210)

    page.goto(live_server.url + "/")
    page.click(".hero >> text=供应商注册")
    page.wait_for_url("**/suppliers/register/")
    page.fill("[name=name]", "丽水云端信息技术有限公司")
    page.fill("[name=credit_code]", code)
    page.select_option("[name=region]", "331100")
    page.check("[name=classes][value=services]")
    page.select_option("[name=primary_class]", "services")
    page.fill("[name=legal_representative]", "叶云端")
    page.fill("[name=registered_capital]", "500")
    page.fill("[name=address]", "丽水市莲都区丽阳街 1 号")
    page.fill("[name=business_scope]", "软件开发；信息系统集成服务")
    page.fill("[name=contact_name]", "叶云端")
    page.fill("[name=contact_phone]", "13800000000")
    page.fill("[name=username]", "yunduan")
    page.fill("[name=password]", "Yunduan-2026!")
    page.fill("[name=password_confirm]", "Yunduan-2026!")
    shot(page, "supplier-register-form")
    page.click("[name=submit]")
    page.wait_for_url("**/suppliers/register/done/")
    shot(page, "supplier-register-done")

    login(page, live_server.url, "yunduan", "Yunduan-2026!")
    page.goto(live_server.url + "/suppliers/mine/")
    assert "待审核" in page.content() or "已提交" in page.content()
    page.click("text=退出")

    login(page, live_server.url, "staff", accounts_demo.DEMO_PASSWORD)
    page.goto(live_server.url + "/suppliers/pool/?status=submitted")
    shot(page, "supplier-review-queue")
    page.click("text=丽水云端信息技术有限公司")
    page.wait_for_url("**/suppliers/pool/*/")
    shot(page, "supplier-review-detail")
    page.click("button[name=approve]")
    page.wait_for_load_state()
    shot(page, "supplier-approved")
    page.click("text=退出")

    from yangguang.suppliers.models import SupplierProfile

    profile = SupplierProfile.objects.get(organisation__name="丽水云端信息技术有限公司")
    assert profile.status == "approved"
