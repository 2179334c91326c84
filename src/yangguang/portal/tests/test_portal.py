"""The public portal: home, list with filters, detail, feeds, sitemap, caching across changes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from yangguang.accounts.models import User
from yangguang.notices import services
from yangguang.notices.models import Notice, NoticeRevision
from yangguang.notices.tests.factories import notice_make
from yangguang.notices.tests.test_services import HOSTILE

pytestmark = pytest.mark.django_db


def _xml(response) -> ET.Element:
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 - our own server's output


def test_home_shows_latest_per_category_and_centre_and_keeps_its_links(demo):
    notice_make(title="某某道路施工招标公告")
    notice_make(notice_type="land_listing", title="青田县工业用地挂牌出让公告", region_code="331121")
    page = Client().get("/").content.decode()
    assert "某某道路施工招标公告" in page and "青田县工业用地挂牌出让公告" in page
    assert "青田县公共资源交易中心" in page
    assert "/suppliers/register/" in page and "/log/" in page


def test_cached_fragments_follow_every_change_even_from_another_process(demo):
    client = Client()
    notice = notice_make(title="第一份施工招标公告")
    assert "第一份施工招标公告" in client.get("/announcements/").content.decode()
    assert "已撤回" not in client.get("/").content.decode()
    # Another process (the worker, another web node) changes data and bumps the revision in the database;
    # this process's cache is untouched, and the next request still shows the change.
    services.notice_withdraw(actor=User.objects.get(username="staff"), notice=notice, reason="撤回")
    assert "已撤回" in client.get("/").content.decode()
    notice_make(title="第二份施工招标公告")
    assert "第二份施工招标公告" in client.get("/announcements/?q=施工").content.decode()
    before = NoticeRevision.objects.get().number
    assert before >= 3


def test_list_filters_search_and_errors(demo):
    notice_make(title="某某道路施工招标公告")
    notice_make(notice_type="tender_procurement", title="LED路灯采购公开招标公告", region_code="331121")
    client = Client()
    page = client.get("/announcements/", {"q": "施工"}).content.decode()
    assert "某某道路施工招标公告" in page and "LED路灯" not in page
    page = client.get("/announcements/", {"region": "331121"}).content.decode()
    assert "LED路灯采购公开招标公告" in page and "某某道路" not in page
    page = client.get("/announcements/", {"q": "led", "category": "government_procurement"}).content.decode()
    assert "LED路灯采购公开招标公告" in page
    bad = client.get("/announcements/", {"date_from": "yesterday"})
    assert bad.status_code == 422 and "2026-03-31" in bad.content.decode()


def test_detail_is_safe_and_shows_everything_a_reader_needs(demo):
    original = notice_make(notice_type="candidate_publicity", title="中标候选人公示", body_html=HOSTILE,
                           attachments=[ContentFile(b"<svg onload=alert(1)>", name="evil.svg")])
    correction = services.notice_correct(actor=original.published_by, original=original, title="候选人公示更正",
                                         body_html="", fields={"changes": "更正报价"}, reason="笔误")
    client = Client()
    page = client.get(f"/announcements/{original.pk}/").content.decode()
    body = page.split('<main id="main"', 1)[1]
    for bad in ("<script", "onerror", "onload", "javascript:", "<svg", "<iframe"):
        assert bad not in body.lower()
    attachment = original.attachments.get()
    assert attachment.sha256 in page and f"/announcements/{correction.pk}/" in page
    assert "公示期" in page and "公示中" in page
    back = client.get(f"/announcements/{correction.pk}/").content.decode()
    assert f"/announcements/{original.pk}/" in back
    download = client.get(f"/announcements/{original.pk}/files/{attachment.pk}/")
    assert download["Content-Type"] == "application/octet-stream"
    assert "attachment" in download["Content-Disposition"]
    services.notice_withdraw(actor=original.published_by, notice=original, reason="评标结果复核")
    assert "此公告已撤回" in client.get(f"/announcements/{original.pk}/").content.decode()


def test_english_page(demo):
    notice_make(title="某某道路施工招标公告")
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/announcements/"})
    page = client.get("/announcements/").content.decode()
    assert "Notices" in page and "Category" in page and "1 notice" in page


def test_feeds_and_sitemap_are_valid_xml(demo):
    notice_make(title="某某道路施工招标公告")
    client = Client()
    rss = _xml(client.get("/feeds/construction/rss.xml"))
    title = rss.find("channel/item/title")
    assert title is not None and title.text == "某某道路施工招标公告"
    atom = _xml(client.get("/feeds/construction/atom.xml"))
    assert atom.find("{http://www.w3.org/2005/Atom}entry") is not None
    assert _xml(client.get("/feeds/land/rss.xml")).find("channel/item") is None
    index = _xml(client.get("/sitemap.xml"))
    locations = [e.text for e in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any((loc or "").endswith("/sitemap-notices.xml") for loc in locations)
    urls = _xml(client.get("/sitemap-notices.xml"))
    notice = Notice.objects.get()
    assert any((e.text or "").endswith(f"/announcements/{notice.pk}/")
               for e in urls.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"))


def test_public_pages_are_cached_whole_and_a_publish_shows_at_once(demo, client):
    from django.core.cache import cache

    from yangguang.notices.tests.factories import notice_make

    cache.clear()
    first = client.get("/announcements/")
    assert first.status_code == 200 and "csrfmiddlewaretoken" not in first.content.decode()
    assert any(":portal:page:" in k for k in cache._cache)  # type: ignore[attr-defined]
    assert client.get("/announcements/").content == first.content
    notice_make(title="缓存之后发布的道路施工招标公告")
    assert "缓存之后发布的道路施工招标公告" in client.get("/announcements/").content.decode()


def test_the_language_switch_is_a_plain_link_and_refuses_foreign_targets(db, client):
    response = client.get("/i18n/switch/?language=en&next=/announcements/")
    assert response.status_code == 302 and response["Location"] == "/announcements/"
    assert response.cookies["django_language"].value == "en"
    assert client.get("/i18n/switch/?language=en&next=https://evil.example/").headers["Location"] == "/"
    assert "django_language" not in client.get("/i18n/switch/?language=xx&next=/").cookies
