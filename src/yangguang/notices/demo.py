"""Demo notices: about 200 notices in all five categories across 丽水市 and its counties, published over the
last six months through the service functions (so each has its event), then back-dated.

Back-dating: this demo's notices are published oldest first and their ``published_at`` (and publicity
window) moved into the past, so their ids rise with publication time. Notices that earlier demos publish
(e.g. exemption publicity from the projects demo) keep their real time and lower ids. The events keep the
real load time. Windows that would have ended already are closed by the worker on its next tick, which
appends their ``publicity_closed`` events. Some notices get corrections and a few are withdrawn. The
accepted demo projects get their notices from the purchaser and agency accounts. Idempotent: a title that
exists is skipped, and the random choices are seeded.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from yangguang.accounts.models import Centre, Region, User
from yangguang.catalogue.states import Category
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import deadline

from . import services
from .models import Notice
from .registry import type_spec

TOTAL = 200
PLACES = {
    "331100": ["莲都区紫金街道", "万象街道", "白云街道", "碧湖镇", "丽水经济技术开发区", "南明山街道"],
    "331121": ["青田县鹤城街道", "温溪镇", "船寮镇", "油竹街道"],
    "331122": ["缙云县五云街道", "壶镇镇", "新建镇"],
    "331123": ["遂昌县妙高街道", "云峰街道", "湖山乡"],
    "331124": ["松阳县西屏街道", "古市镇", "大东坝镇"],
    "331126": ["庆元县松源街道", "屏都街道", "百山祖镇"],
    "331127": ["景宁县红星街道", "鹤溪街道", "沙湾镇"],
    "331181": ["龙泉市龙渊街道", "剑池街道", "八都镇", "小梅镇"],
}
BUYERS: dict[str, list[str]] = {
    Category.CONSTRUCTION: ["交通运输局", "住房和城乡建设局", "水利局", "教育局", "城市建设投资集团有限公司"],
    Category.GOVERNMENT_PROCUREMENT: ["教育局", "卫生健康局", "人民医院", "综合行政执法局", "机关事务服务中心"],
    Category.LAND: ["自然资源和规划局"],
    Category.STATE_ASSETS: ["国有资本运营有限公司", "城市建设投资集团有限公司", "交通投资集团有限公司"],
    Category.SPECIAL: ["自然资源和规划局", "交通运输局", "生态环境局"],
}
OBJECTS: dict[str, list[str]] = {
    Category.CONSTRUCTION: ["道路提升改造工程", "桥梁维修加固工程", "污水管网改造工程", "中心小学教学楼新建工程",
                            "卫生院改扩建工程", "农村饮用水提升工程", "河道综合治理工程", "老旧小区改造工程",
                            "体育中心建设工程", "隧道病害整治工程", "美丽城镇建设工程", "防洪堤加固工程"],
    Category.GOVERNMENT_PROCUREMENT: ["LED路灯采购项目", "智慧教室设备采购项目", "彩超设备采购项目",
                                      "物业管理服务项目", "食堂食材配送服务项目", "办公家具采购项目",
                                      "政务信息系统建设项目", "执法记录仪采购项目", "垃圾清运服务项目",
                                      "医疗耗材采购项目", "视频监控设备采购项目"],
    Category.LAND: ["工业用地", "商住用地", "商业服务业用地", "仓储用地"],
    Category.STATE_ASSETS: ["闲置房产出租", "公务车辆处置", "国有股权转让", "旧设备处置", "沿街商铺租赁"],
    Category.SPECIAL: ["建筑用砂石资源开采权出让", "集体林权流转", "排污权有偿使用交易", "公交线路特许经营权",
                       "户外广告经营权出让"],
}
# category → [(type, title suffix, weight)]
SEQUENCE: dict[str, list[tuple[str, str, int]]] = {
    Category.CONSTRUCTION: [("tender_construction", "施工招标公告", 5), ("candidate_publicity", "中标候选人公示", 3),
                            ("failed_tender", "流标公告", 1), ("termination", "终止公告", 1),
                            ("prequalification", "资格预审公告", 1)],
    Category.GOVERNMENT_PROCUREMENT: [("tender_procurement", "公开招标公告", 5), ("award_result", "中标结果公告", 3),
                                      ("deal_result", "成交结果公告", 1), ("contract", "合同公告", 2),
                                      ("single_source_publicity", "单一来源采购公示", 1)],
    Category.LAND: [("land_listing", "国有建设用地使用权挂牌出让公告", 3), ("land_listing_info", "挂牌信息", 1),
                    ("land_result", "出让结果公告", 2)],
    Category.STATE_ASSETS: [("asset_disclosure", "转让信息披露公告", 3), ("asset_result", "交易结果公示", 2)],
    Category.SPECIAL: [("centre_notice", "交易公告", 2), ("exemption_publicity", "不进场交易公示", 1)],
}
WEIGHTS = [(Category.CONSTRUCTION, 36), (Category.GOVERNMENT_PROCUREMENT, 36), (Category.LAND, 10),
           (Category.STATE_ASSETS, 10), (Category.SPECIAL, 8)]
COMPANIES = ["浙江瓯江建设有限公司", "丽水青瓷建设工程有限公司", "浙江括苍交通工程有限公司",
             "丽水市明辉照明科技有限公司", "浙江百山祖环境服务有限公司", "缙云县仙都建设有限公司",
             "龙泉剑瓷实业有限公司"]


def _field_text(key: str, c: dict[str, Any]) -> str:
    texts = {
        "tenderer": f"{c['buyer']}，地址：{c['place']}人民路{c['n']}号",
        "purchaser": f"采购人：{c['buyer']}；代理机构：浙江瓯江招标代理有限公司；联系电话：0578-2{c['n']:06d}",
        "purchaser_project": f"{c['buyer']}，{c['name']}",
        "project_name_code": f"{c['name']}（{c['project_code']}）",
        "nature_quantity": f"{c['object']}，建设规模约{c['n'] % 90 + 10}公里/万平方米",
        "place_time": f"{c['place']}；计划工期{c['n'] % 300 + 60}日历天",
        "documents_how": "自公告发布之日起在丽水市公共资源交易平台免费下载电子招标文件",
        "bid_deadline": f"{c['deadline']:%Y年%m月%d日} 09:30，丽水市公共资源交易中心开标室（不见面开标）",
        "budget": f"预算金额{c['amount']}万元，最高限价{c['amount']}万元",
        "requirements": f"{c['object']}，详见采购文件第三章",
        "qualification": "具有独立承担民事责任的能力；未被列入失信被执行人名单；本项目不接受联合体",
        "application_time_place": f"{c['deadline']:%Y年%m月%d日}前通过平台提交资格预审申请文件",
        "contact": f"项目联系人：王工，电话0578-2{c['n']:06d}",
        "changes": "投标截止时间及开标时间顺延",
        "ground": "递交投标文件的投标人不足三家" if c["n"] % 2 else "采购需求发生重大变化",
        "legal_basis": "《中华人民共和国招标投标法》第二十八条" if c["n"] % 2 else "财政部令第87号第二十九条",
        "refund": "已收取的投标保证金及银行同期存款利息将于5个工作日内退还",
        "next_step": "依法重新招标",
        "candidates": f"第一名：{c['winner']}，投标报价{c['price']}万元，工期{c['n'] % 300 + 60}日历天；"
                      f"第二名：{c['second']}",
        "evaluation": "综合评估法，评标委员会由5人组成",
        "objection_channel": "投标人或其他利害关系人对评标结果有异议的，应在公示期内以书面形式向招标人提出",
        "winner": f"{c['winner']}，地址：丽水市莲都区中山街{c['n'] % 200 + 1}号，中标金额{c['price']}万元",
        "supplier": f"{c['winner']}，成交金额{c['price']}万元",
        "main_items": f"{c['object']}，数量1项，详见采购合同",
        "experts": "张某某、刘某某、陈某某、杨某某、黄某某",
        "goods_services": c["object"],
        "reason": "专利产品，只能从唯一供应商处采购" if c["category"] == "government_procurement" else "涉及应急抢险",
        "expert_opinion": "经5名专家论证，该产品为唯一供应商可提供",
        "parties": f"甲方：{c['buyer']}；乙方：{c['winner']}",
        "subject": c["object"],
        "quantity": "1项",
        "quality": "符合国家及行业标准，验收合格",
        "price": f"{c['price']}万元",
        "performance": f"合同签订后{c['n'] % 90 + 30}日内，在{c['place']}履行",
        "acceptance": "按采购文件及国家相关标准组织验收",
        "liability": "按合同约定承担违约责任",
        "disputes": "协商不成的，向丽水仲裁委员会申请仲裁",
        "seller": "丽水市自然资源和规划局，丽水市莲都区花园路1号",
        "parcel": f"{c['place']}地块，面积{c['n'] % 50000 + 5000}平方米，用途{c['object']}，出让年限50年，容积率≤2.0",
        "schedule": f"挂牌时间：{c['deadline']:%Y年%m月%d日}起10个工作日",
        "winner_rule": "价高者得",
        "deposit": f"竞买保证金{c['amount'] // 5 + 1}万元",
        "start_price": f"{c['amount']}万元",
        "increment": "每次加价不少于5万元",
        "listing_period": f"{c['deadline']:%Y年%m月%d日}至挂牌截止",
        "method": "挂牌出让" if c["category"] == "land" else "网络竞价",
        "shareholders": "丽水市国有资本运营有限公司持股100%",
        "approval": "经丽水市国资委批准（丽国资〔2026〕12号）",
        "financials": "2025年度经审计营业收入1200万元，净利润80万元",
        "appraisal": "评估报告已备案",
        "conditions": f"转让底价{c['amount']}万元，受让方须一次性付清价款",
        "bidding_method": "网络竞价，价高者得",
        "buyer": f"{c['winner']}",
    }
    return texts.get(key, c["object"])


def _context(rng: random.Random, category: str, region_code: str, index: int, when: dt.datetime) -> dict[str, Any]:
    city = "丽水市" if region_code == "331100" else PLACES[region_code][0][:3]
    place = rng.choice(PLACES[region_code])
    obj = rng.choice(OBJECTS[category])
    amount = rng.randint(50, 9000)
    winner, second = rng.sample(COMPANIES, 2)
    return {"category": category, "place": place, "object": obj, "buyer": f"{city}{rng.choice(BUYERS[category])}",
            "name": f"{place}{obj}", "n": index * 37 + 11, "amount": amount,
            "price": round(amount * rng.uniform(0.85, 0.98), 2), "winner": winner, "second": second,
            "deadline": when + dt.timedelta(days=21), "project_code": f"{region_code}-DEMO-{index:04d}"}


def _backdate(notice: Notice, when: dt.datetime) -> None:
    closes = None
    if notice.publicity_days:
        closes = deadline(when, notice.publicity_days, notice.publicity_unit).at
    Notice.objects.filter(pk=notice.pk).update(
        published_at=when, publicity_opens_at=when if closes else None, publicity_closes_at=closes,
        next_check_at=closes if notice.status == "published" else None)


def load() -> str:
    regions = [c.region.code for c in Centre.objects.filter(is_active=True).select_related("region")]
    admin = User.objects.filter(username="admin").first()
    if admin is None or not regions:
        return "accounts demo not loaded: no demo notices"
    rng = random.Random(331100)  # noqa: S311 - demo data, not secrets
    now = db_now()
    region_weights = [4 if code == "331100" else 1 for code in regions]
    created = corrected = withdrawn = 0
    for index in range(TOTAL):
        # Oldest first: 180 days ago up to today, so ids rise with the publication time.
        when = now - dt.timedelta(days=180 * (TOTAL - index) / TOTAL, minutes=rng.randint(0, 300))
        category = rng.choices([c for c, _w in WEIGHTS], [w for _c, w in WEIGHTS])[0]
        kinds = SEQUENCE[category]
        notice_type, suffix, _w = rng.choices(kinds, [k[2] for k in kinds])[0]
        region_code = rng.choices(regions, region_weights)[0]
        c = _context(rng, category, region_code, index, when)
        title = f"{c['name']}{suffix}"
        if Notice.objects.filter(title=title).exists():
            continue
        spec = type_spec(notice_type)
        assert spec is not None
        fields = {f.key: _field_text(f.key, c) for f in spec.fields}
        body = (f"<p>根据有关法律法规，{c['buyer']}就<strong>{c['name']}</strong>发布本公告。</p>"
                f"<ul><li>项目地点：{c['place']}</li><li>公告发布媒介：丽水市公共资源交易网、浙江省公共资源交易服务平台</li></ul>"
                "<p>如有疑问，请与采购人或代理机构联系。</p>")
        with transaction.atomic():
            notice = services.notice_publish(
                actor=admin, notice_type=notice_type, region=Region.objects.get(code=region_code), title=title,
                body_html=body, fields=fields, category=category,
                owner=f"demo.notice:{index}" if spec.publicity_days else "")
            _backdate(notice, when)
        created += 1
        if index % 17 == 5 and notice_type not in ("centre_notice",):
            with transaction.atomic():
                correction = services.notice_correct(
                    actor=admin, original=notice, title=f"{c['name']}更正公告", body_html="<p>原公告其他内容不变。</p>",
                    fields={"changes": "投标截止时间及开标时间顺延7日", "new_deadline":
                            f"{c['deadline'] + dt.timedelta(days=7):%Y年%m月%d日} 09:30"},
                    reason="答疑澄清后顺延截止时间")
                _backdate(correction, when + dt.timedelta(hours=1))
            corrected += 1
        elif index % 41 == 7:
            with transaction.atomic():
                services.notice_withdraw(actor=admin, notice=notice, reason="公告内容有误，已撤回并将重新发布")
            withdrawn += 1
    created += _project_notices()
    return (f"{created} notices published ({corrected} corrected, {withdrawn} withdrawn), "
            f"{Notice.objects.count()} in all")


def _project_notices() -> int:
    """Tender notices of the accepted demo projects, published by their purchaser or agency."""
    from yangguang.projects.models import Project
    from yangguang.projects.states import ProjectStatus

    made = 0
    suffix: dict[str, tuple[str, str]] = {Category.CONSTRUCTION: ("tender_construction", "施工招标公告"),
              Category.GOVERNMENT_PROCUREMENT: ("tender_procurement", "公开招标公告")}
    for project in Project.objects.filter(status=ProjectStatus.ACCEPTED).select_related("centre__region", "agency"):
        if project.category not in suffix or Notice.objects.filter(project=project).exists():
            continue
        actor = User.objects.filter(organisation=project.agency or project.owner,
                                    role__in=["agency", "purchaser"]).order_by("pk").first()
        if actor is None:
            continue
        notice_type, title_suffix = suffix[project.category]
        spec = type_spec(notice_type)
        assert spec is not None
        rng = random.Random(project.pk)  # noqa: S311 - demo data, not secrets
        c = _context(rng, project.category, "331100", project.pk, db_now())
        c.update(name=project.name, object=project.name, buyer=project.owner.name, project_code=project.code)
        services.notice_publish(
            actor=actor, notice_type=notice_type, region=project.centre.region, title=f"{project.name}{title_suffix}",
            body_html=f"<p>{project.owner.name}的{project.name}已由交易中心受理，现公开招标。</p>",
            fields={f.key: _field_text(f.key, c) for f in spec.fields}, project=project)
        made += 1
    return made
