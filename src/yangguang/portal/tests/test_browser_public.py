"""A member of the public on the portal: search in Chinese, filter, open a notice, switch to English."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from tests.browser import shot

pytestmark = [pytest.mark.browser]


@pytest.fixture
def published(transactional_db):
    from yangguang.accounts import demo as accounts_demo
    from yangguang.notices import services
    from yangguang.notices.tests.factories import notice_make

    accounts_demo.load()
    road = notice_make(title="丽水市莲都区某某道路施工招标公告",
                       body_html="<p>本工程位于莲都区，<strong>计划工期180日历天</strong>。</p>",
                       attachments=[ContentFile(b"%PDF-1.4 tender documents", name="招标文件.pdf")])
    notice_make(notice_type="candidate_publicity", title="青田县瓯江大桥维修工程中标候选人公示",
                region_code="331121")
    notice_make(notice_type="tender_procurement", title="丽水市区LED路灯采购公开招标公告")
    notice_make(notice_type="land_listing", title="丽水经济开发区工业用地挂牌出让公告")
    services.notice_correct(actor=road.published_by, original=road, title="某某道路施工招标更正公告",
                            body_html="", fields={"changes": "投标截止时间顺延至2027年1月5日"}, reason="答疑后顺延")
    return road


def test_public_search_filter_open_and_switch_language(page, live_server, published):
    base = live_server.url
    page.goto(base + "/")
    assert page.locator("h1").inner_text() == "阳光下的公共资源交易"
    shot(page, "portal-home-zh")
    page.fill("#home-q", "施工")
    page.press("#home-q", "Enter")
    page.wait_for_url("**/announcements/?q=*")
    results = page.locator(".notice-list li a")
    titles = results.all_inner_texts()
    assert "丽水市莲都区某某道路施工招标公告" in titles and "丽水市区LED路灯采购公开招标公告" not in titles
    shot(page, "portal-search-zh")

    page.select_option("#category", "construction")
    page.select_option("#type", "candidate_publicity")
    page.fill("#q", "")
    page.click("text=筛选")
    titles = page.locator(".notice-list li a").all_inner_texts()
    assert titles == ["青田县瓯江大桥维修工程中标候选人公示"]
    page.select_option("#type", "")
    page.fill("#q", "施工")
    page.click("text=筛选")
    page.click("text=丽水市莲都区某某道路施工招标公告")
    assert page.locator("h1").inner_text() == "丽水市莲都区某某道路施工招标公告"
    assert page.locator(".warning-box").inner_text().startswith("此公告已发布更正")
    assert page.locator(".hash").first.inner_text() == published.attachments.get().sha256
    assert page.locator("text=投标截止时间和开标").count() == 1
    shot(page, "portal-detail-zh")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "丽水市莲都区某某道路施工招标公告"
    assert page.locator("text=This notice has been corrected:").count() == 1
    assert page.locator("th", has_text="Bid deadline and opening").count() == 1
    assert page.locator("text=Tender notice (construction)").count() >= 1
    shot(page, "portal-detail-en")
    page.goto(base + "/announcements/")
    assert page.locator("h1").inner_text() == "Notices"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "portal-home-en-phone")
