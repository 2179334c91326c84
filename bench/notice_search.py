"""Notice search over N notices: p50/p95 per query kind, through the public API (count included).

Fills N notices with realistic titles, fields and body openings (bulk insert, oldest first, spread over
three years and the city and its eight counties), then runs a mix of query kinds — very common, common,
medium and rare Chinese terms, a single character, ASCII, mixed Chinese/ASCII, a notice number, with and
without filters — warm, single user, through ``GET /api/v1/notices`` (search, count and the page of 20).

    .venv/bin/python bench/notice_search.py [N]          # default 1,000,000; SQLite in a temp file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yg_bench_notices .venv/bin/python bench/notice_search.py
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time

from _common import emit, setup_django

ROUNDS = 25  # measured requests per query kind (after one warm-up round)

PLACES = ["莲都区紫金街道", "万象街道", "岩泉街道", "白云街道", "联城街道", "水阁街道", "碧湖镇", "大港头镇",
          "青田县鹤城街道", "温溪镇", "船寮镇", "缙云县五云街道", "壶镇镇", "新建镇", "遂昌县妙高街道", "云峰街道",
          "松阳县西屏街道", "古市镇", "云和县浮云街道", "崇头镇", "庆元县松源街道", "屏都街道", "景宁县红星街道",
          "鹤溪街道", "龙泉市龙渊街道", "剑池街道", "八都镇", "小梅镇", "南明山街道", "丽水经济技术开发区"]
OBJECTS = {
    "construction": ["道路施工", "桥梁维修工程", "污水管网改造工程", "学校教学楼新建工程", "卫生院改扩建工程",
                     "农村饮用水提升工程", "河道综合治理工程", "老旧小区改造工程", "体育中心建设工程",
                     "隧道加固工程", "停车场建设工程", "绿道建设工程", "安置房建设项目", "堤防加固工程"],
    "government_procurement": ["LED路灯采购", "教学设备采购", "CT设备采购", "物业管理服务", "食堂食材配送服务",
                               "办公家具采购", "信息化系统建设", "执法记录仪采购", "校车租赁服务",
                               "垃圾清运服务", "医疗耗材采购", "监控设备采购", "电梯维保服务"],
    "land": ["工业用地", "商住用地", "商业服务业用地", "仓储用地", "住宅用地"],
    "state_assets": ["闲置房产出租", "车辆处置", "股权转让", "旧设备处置", "商铺租赁"],
    "special": ["砂石资源开采权", "林权流转", "排污权交易", "公交线路特许经营", "户外广告经营权"],
}
TYPES = {
    "construction": [("tender_construction", "施工招标公告"), ("candidate_publicity", "中标候选人公示"),
                     ("correction", "更正公告"), ("failed_tender", "流标公告")],
    "government_procurement": [("tender_procurement", "公开招标公告"), ("award_result", "中标结果公告"),
                               ("contract", "合同公告"), ("deal_result", "成交结果公告")],
    "land": [("land_listing", "挂牌出让公告"), ("land_result", "出让结果公告")],
    "state_assets": [("asset_disclosure", "转让信息披露"), ("asset_result", "交易结果公示")],
    "special": [("centre_notice", "交易公告")],
}
CATEGORY_WEIGHTS = [("construction", 40), ("government_procurement", 40), ("land", 8), ("state_assets", 7),
                    ("special", 5)]
BUYERS = ["丽水市交通运输局", "丽水市教育局", "丽水市第一人民医院", "莲都区住房和城乡建设局", "青田县水利局",
          "缙云县人民医院", "遂昌县城市管理局", "龙泉市自然资源和规划局", "丽水市国有资本运营有限公司"]
BODY = ("根据《中华人民共和国招标投标法》《中华人民共和国政府采购法》等有关规定，{buyer}就{name}进行公开交易，"
        "欢迎符合条件的潜在投标人参加。项目地点：{place}。资金来源：财政资金，已落实。")


def fill(n: int, *, drop_index: bool = False) -> float:
    """Bulk-insert n notices (oldest first); returns the seconds it took."""
    from django.db import connection, transaction

    from yangguang.accounts.models import Region
    from yangguang.notices import search
    from yangguang.notices.models import Notice, NoticeSearch
    from yangguang.notices.services import revision_bump

    regions = list(Region.objects.select_related("parent"))
    region_codes = {r.pk: [r.code, *([r.parent.code] if r.parent else [])] for r in regions}
    rng = random.Random(20261128)
    categories = [c for c, w in CATEGORY_WEIGHTS for _ in range(w)]
    start = dt.datetime(2023, 12, 1, tzinfo=dt.UTC)
    span = 3 * 365 * 86400
    counters: dict[str, int] = {}

    t0 = time.perf_counter()
    if drop_index and connection.vendor == "postgresql":
        with connection.cursor() as c:  # build the GIN index once after the load, as a restore would
            c.execute("DROP INDEX notices_search_gin")
    batch: list[Notice] = []
    documents: list[str] = []
    for i in range(n):
        category = rng.choice(categories)
        notice_type, suffix = rng.choice(TYPES[category])
        region = rng.choice(regions)
        place, obj, buyer = rng.choice(PLACES), rng.choice(OBJECTS[category]), rng.choice(BUYERS)
        published = start + dt.timedelta(seconds=span * i / n)
        prefix = f"{region.code}-GG-{published.year}"
        counters[prefix] = counters.get(prefix, 500_000) + 1  # clear of the demo's numbers
        code = f"{prefix}-{counters[prefix]:06d}"
        name = f"{place}{obj}项目"
        title = f"{name}{suffix}"
        fields = {"purchaser": f"{buyer}，丽水市莲都区人民街{rng.randint(1, 300)}号",
                  "project_name_code": f"{name}（{code}）", "budget": f"{rng.randint(10, 9000)}万元"}
        body = BODY.format(buyer=buyer, name=name, place=place)
        batch.append(Notice(
            code=code, type=notice_type, category=category, region=region, title=title, body_html=f"<p>{body}</p>",
            fields=fields, status="published", published_at=published))
        documents.append(search.search_document(title=title, code=code, fields=fields, body_text=body,
                                                notice_type=notice_type, category=category,
                                                region_codes=region_codes[region.pk]))
        if len(batch) == 5000 or i == n - 1:
            with transaction.atomic():
                created = Notice.objects.bulk_create(batch)  # ids come back on SQLite and PostgreSQL
                NoticeSearch.objects.bulk_create(NoticeSearch(notice_id=notice.pk, text=text)
                                                 for notice, text in zip(created, documents, strict=True))
            batch, documents = [], []
            if (i + 1) % 100_000 == 0:
                print(f"  {i + 1} notices inserted ({time.perf_counter() - t0:.0f} s)", flush=True)
    with transaction.atomic():
        revision_bump()
    return time.perf_counter() - t0


def _index(connection) -> float:  # type: ignore[no-untyped-def]
    t1 = time.perf_counter()
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SET maintenance_work_mem = '512MB'")
            c.execute("CREATE INDEX notices_search_gin ON notices_noticesearch USING gin (search_vector)")
            c.execute("VACUUM ANALYZE notices_notice")
            c.execute("VACUUM ANALYZE notices_noticesearch")
        else:
            c.execute("INSERT INTO notices_search_fts(notices_search_fts) VALUES ('optimize')")
            c.execute("ANALYZE")
    return time.perf_counter() - t1


def _reuse_django() -> dict:
    """NOTICE_BENCH_REUSE=1: query the database a previous run filled (no drop, no fill)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangguang.settings")
    os.environ["YANGGUANG_DEBUG"] = "0"
    os.environ.setdefault("YANGGUANG_SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
    django.setup()
    from django.db import connection

    return {"database": connection.vendor, "database_name": str(connection.settings_dict["NAME"]),
            "django": django.get_version(), "reused": True}


def main(n: int) -> dict:
    import os

    reuse = os.environ.get("NOTICE_BENCH_REUSE") == "1"
    env = _reuse_django() if reuse else setup_django()
    from django.db import connection
    from django.test import Client

    from yangguang.accounts import demo as accounts_demo
    from yangguang.accounts.models import Region
    from yangguang.notices.models import Notice

    regions = list(Region.objects.all())
    rng = random.Random(7)
    fill_s = index_s = 0.0
    if reuse:
        n = Notice.objects.count()
    else:
        accounts_demo.load()
        regions = list(Region.objects.all())
        fill_s = fill(n, drop_index=True)
        index_s = _index(connection)
    print(f"filled {n} notices in {fill_s:.0f} s, index build/optimise {index_s:.0f} s", flush=True)

    city = "331100"
    counties = [r.code for r in regions if r.parent_id]
    sample = list(Notice.objects.order_by("?").values_list("code", flat=True)[:ROUNDS + 1]) \
        if connection.vendor == "postgresql" else [
            Notice.objects.filter(pk__gte=rng.randint(1, n)).order_by("pk").values_list("code", flat=True).first()
            or "" for _ in range(ROUNDS + 1)]
    kinds = {
        "very_common_term (公告)": lambda r: {"q": "公告"},
        "common_term (施工)": lambda r: {"q": "施工"},
        "medium_phrase (道路施工)": lambda r: {"q": "道路施工"},
        "rare_place_object": lambda r: {"q": f"{rng.choice(PLACES)}{rng.choice(OBJECTS['construction'])}"},
        "single_char (桥)": lambda r: {"q": "桥"},
        "ascii (led)": lambda r: {"q": "LED"},
        "mixed (CT设备)": lambda r: {"q": "CT设备"},
        "notice_number": lambda r: {"q": sample[r]},
        "common+category+county": lambda r: {"q": "施工", "category": "construction",
                                             "region": rng.choice(counties)},
        "rare+type": lambda r: {"q": rng.choice(PLACES), "type": "contract"},
        "common+city+page3": lambda r: {"q": "采购", "region": city, "page": 3},
        "browse_category": lambda r: {"category": rng.choice([c for c, _w in CATEGORY_WEIGHTS])},
        "browse_county_type": lambda r: {"region": rng.choice(counties), "type": "candidate_publicity"},
        "browse_all": lambda r: {},
    }
    client = Client()
    results: dict[str, dict] = {}
    all_samples: list[float] = []
    for kind, make in kinds.items():
        samples: list[float] = []
        counts: list[int] = []
        for r in range(ROUNDS + 1):
            params = make(r)
            t = time.perf_counter()
            response = client.get("/api/v1/notices", params)
            elapsed = time.perf_counter() - t
            assert response.status_code == 200, response.content
            if r == 0:
                continue  # warm-up
            samples.append(elapsed)
            counts.append(response.json()["count"])
        samples.sort()
        p50 = statistics.median(samples) * 1000
        p95 = samples[int(0.95 * (len(samples) - 1))] * 1000
        all_samples += samples
        results[kind] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2),
                         "median_count": int(statistics.median(counts))}
        print(f"  {kind:<28} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   count≈{results[kind]['median_count']}", flush=True)
    all_samples.sort()
    overall_p95 = all_samples[int(0.95 * (len(all_samples) - 1))] * 1000
    target = 50 if connection.vendor == "postgresql" else 100
    print(f"overall p95 {overall_p95:.2f} ms (target ≤ {target} ms)")
    return {"benchmark": "notice_search", "n": n, **env, "fill_seconds": round(fill_s), "index_seconds": round(index_s),
            "overall_p95_ms": round(overall_p95, 2), "target_p95_ms": target, "kinds": results}


if __name__ == "__main__":
    emit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
