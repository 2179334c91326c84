"""Chinese full-text search with filters, on whichever database the suite runs on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from yangguang.accounts.models import Region
from yangguang.notices import search, selectors
from yangguang.notices.selectors import NoticeQuery, notice_search

from .factories import notice_make

pytestmark = pytest.mark.django_db


def test_tokens():
    assert search.query_tokens("施工") == ["施工"]
    assert search.query_tokens("道路施工") == ["道路", "路施", "施工"]
    assert search.query_tokens("桥") == ["桥"]
    assert search.query_tokens("ＬＥＤ路灯 2026") == ["led", "路灯", "2026"]
    assert search.query_tokens("ygt3 ，。") == []
    doc = search.document_tokens(["某某道路施工招标公告"])
    assert {"施工", "道", "告", "公告"} <= set(doc) and "路施工" not in doc


@pytest.fixture
def corpus(demo):
    made = {
        "road": notice_make(title="某某道路施工招标公告"),
        "bridge": notice_make(title="瓯江大桥维修工程招标公告", region_code="331121"),
        "led": notice_make(notice_type="tender_procurement", title="丽水市区LED路灯采购项目公开招标公告"),
        "land": notice_make(notice_type="land_listing", title="丽水经济开发区工业用地挂牌出让公告"),
        "hospital": notice_make(notice_type="contract", title="丽水市第一人民医院CT设备采购合同公告",
                                body_html="<p>本合同由<strong>施工</strong>无关方签订。</p>"),
    }
    return made


def _titles(**kwargs) -> list[str]:
    return [n.title for n in notice_search(NoticeQuery(**kwargs)).items]


def test_chinese_bigram_finds_the_title(corpus):
    assert _titles(q="施工") == ["丽水市第一人民医院CT设备采购合同公告", "某某道路施工招标公告"]
    assert _titles(q="道路施工") == ["某某道路施工招标公告"]
    assert _titles(q="施工 道路") == ["某某道路施工招标公告"]  # words in any order
    assert _titles(q="施工道路") == []  # "工道" is not in the title
    assert _titles(q="隧道施工") == []


def test_single_character_ascii_and_mixed(corpus):
    assert _titles(q="桥") == ["瓯江大桥维修工程招标公告"]
    assert _titles(q="led") == ["丽水市区LED路灯采购项目公开招标公告"]
    assert _titles(q="ＬＥＤ 路灯") == ["丽水市区LED路灯采购项目公开招标公告"]
    assert _titles(q="CT设备") == ["丽水市第一人民医院CT设备采购合同公告"]
    assert _titles(q=corpus["land"].code) == [corpus["land"].title]
    assert _titles(q="！？") == _titles()  # nothing searchable: every notice


def test_newest_first_and_counts(corpus):
    result = notice_search(NoticeQuery(q="公告"))
    assert result.count == 5 and not result.count_is_estimate
    assert [n.pk for n in result.items] == sorted((n.pk for n in corpus.values()), reverse=True)


def test_filters_with_and_without_text(corpus):
    lishui = Region.objects.get(code="331100")
    qingtian = Region.objects.get(code="331121")
    assert _titles(q="招标", category="land") == []
    assert _titles(q="公告", type="land_listing") == ["丽水经济开发区工业用地挂牌出让公告"]
    assert _titles(category="government_procurement") == ["丽水市第一人民医院CT设备采购合同公告",
                                                          "丽水市区LED路灯采购项目公开招标公告"]
    # A city includes its counties; a county is only itself.
    assert len(_titles(q="公告", region=lishui)) == 5 and len(_titles(region=lishui)) == 5
    assert _titles(q="公告", region=qingtian) == ["瓯江大桥维修工程招标公告"]
    assert _titles(region=qingtian) == ["瓯江大桥维修工程招标公告"]
    today = corpus["road"].published_at.date()
    assert len(_titles(q="公告", date_from=today, date_to=today + dt.timedelta(days=1))) == 5
    assert _titles(q="公告", date_from=today + dt.timedelta(days=2)) == []
    assert _titles(date_to=today - dt.timedelta(days=2)) == []


def test_paging_and_capped_count(demo, monkeypatch):
    for i in range(25):
        notice_make(title=f"第{i}号施工招标公告")
    first = notice_search(NoticeQuery(q="施工"))
    second = notice_search(NoticeQuery(q="施工", page=2))
    assert first.count == 25 and len(first.items) == 20 and len(second.items) == 5
    assert not {n.pk for n in first.items} & {n.pk for n in second.items}
    monkeypatch.setattr(selectors, "COUNT_CAP", 21)
    for capped in (notice_search(NoticeQuery(q="施工")), notice_search(NoticeQuery())):
        # The cap as a lower bound, or (PostgreSQL, when the planner expects more than the cap) its estimate.
        assert capped.count_is_estimate and capped.count >= 21
        assert capped.count_is_lower_bound == (capped.count == 21)
        if connection.vendor == "sqlite":
            assert capped.count_is_lower_bound
