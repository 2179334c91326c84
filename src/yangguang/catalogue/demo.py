"""Demo: the city's trading catalogue (丽水市公共资源交易目录, in the shape of a real municipal catalogue),
put in force by the committee office. Idempotent: a second call finds the version and creates nothing.

Thresholds come from the rule set: G-003 (施工 400万, 货物 200万, 服务 100万), P-001 (集中采购目录 and the
分散采购限额标准), L-001 (经营性用地 招拍挂), A-001/A-008/A-009 (国有资产). Amounts are yuan."""

from __future__ import annotations

from decimal import Decimal

from yangguang.accounts.models import Region, User
from yangguang.accounts.states import Role

from .models import CatalogueItem, CatalogueType, CatalogueVersion
from .services import CatalogueRow, version_activate, version_content_replace, version_create
from .states import CATEGORY_CODES, Category, FundingSource

CITY_CODE = "331100"
TITLE = "丽水市公共资源交易目录（2025年版）"
LEGAL_BASIS = "丽水市公共资源交易管理委员会办公室 丽公管〔2025〕1号"

WAN = Decimal("10000")
STATE_FUNDS = (FundingSource.BUDGET, FundingSource.STATE_ENTERPRISE, FundingSource.STATE_FINANCING,
               FundingSource.INTERNATIONAL_LOAN)
BUDGET_ONLY = (FundingSource.BUDGET,)
ASSETS = (FundingSource.STATE_ASSET_PROCEEDS,)

# 工程建设: each kind of works × each contract of the works (R16 第5条 / G-003 thresholds).
CONSTRUCTION_TYPES = [
    "房屋建筑工程", "市政公用工程", "公路工程", "水利水电工程", "水运工程", "电力工程", "通信工程",
    "园林绿化工程", "农业农村基础设施工程", "土地综合整治工程", "生态环境治理工程", "文物保护与古建修缮工程",
]
CONSTRUCTION_CONTRACTS = [
    ("施工", 400, "G-003"), ("勘察", 100, "G-003"), ("设计", 100, "G-003"), ("监理", 100, "G-003"),
    ("重要设备采购", 200, "G-003"), ("重要材料采购", 200, "G-003"), ("工程总承包", 400, "G-003"),
    ("全过程工程咨询", 100, "G-003"), ("造价咨询", 100, "G-003"), ("工程质量检测", 100, "G-003"),
    ("项目管理", 100, "G-003"),
]

# 政府采购 by 品目 (政府采购品目分类目录). Items of the 集中采购目录 are in scope at any amount (P-001);
# other goods and services from the 分散采购限额标准 of 100万 (regional data, P-001/P-002).
CENTRALISED = "集中采购目录以内，不论金额"
DECENTRALISED = "分散采购限额标准以上"
PROCUREMENT_TYPES: list[tuple[str, bool, list[str]]] = [
    ("货物·信息技术设备", True, ["台式计算机", "便携式计算机", "平板式微型计算机", "服务器", "网络交换机", "路由器",
                          "防火墙", "磁盘阵列存储设备", "激光打印机", "针式打印机", "扫描仪", "不间断电源",
                          "显示器", "移动存储设备", "图形工作站"]),
    ("货物·办公设备", True, ["复印机", "多功能一体机", "投影仪", "LED显示屏", "碎纸机", "触控一体机",
                       "视频会议系统设备", "速印机", "电子白板", "录音录像设备", "照相机", "摄像机"]),
    ("货物·家具用具", True, ["办公桌", "办公椅", "文件柜", "会议桌", "沙发", "床类家具", "学生课桌椅",
                       "图书馆书架", "密集架", "茶几", "屏风隔断"]),
    ("货物·车辆及交通设备", True, ["轿车", "越野车", "商务车", "大中型客车", "专用救护车", "消防车",
                            "环卫车辆", "电动执法车", "摩托车", "校车"]),
    ("货物·医疗设备", False, ["医用CT机", "磁共振成像设备", "数字化X射线机", "彩色超声诊断仪", "全自动生化分析仪",
                        "血液透析设备", "手术室设备", "病床及护理设备", "医用内窥镜", "监护仪", "呼吸机",
                        "医用消毒灭菌设备", "数字减影血管造影系统", "医用直线加速器", "口腔综合治疗台",
                        "康复训练设备"]),
    ("货物·教学及科研仪器", False, ["实验室成套设备", "计算机教室设备", "录播教室设备", "体育器材", "音乐器材",
                             "图书", "科研检测仪器", "职业教育实训设备", "智慧黑板", "创客教育设备",
                             "实验室家具", "心理健康教育设备"]),
    ("货物·专用设备", False, ["安防监控设备", "交通信号设备", "气象观测设备", "水文监测设备", "环境监测设备",
                        "应急救援设备", "广播电视设备", "农业机械", "执法记录仪", "无人驾驶航空器",
                        "污水处理设备", "电梯"]),
    ("服务·信息技术服务", False, ["软件开发服务", "信息系统集成实施服务", "运行维护服务", "数据处理服务",
                           "云计算服务", "信息安全服务", "网络接入服务", "网络安全等级保护测评服务",
                           "智慧城市运营服务", "数字化改革咨询服务"]),
    ("服务·物业及后勤服务", False, ["物业管理服务", "保安服务", "保洁服务", "食堂餐饮服务", "绿化养护服务",
                            "会议服务", "印刷服务", "公务用车租赁服务", "电梯维护保养服务", "消防设施维护保养服务"]),
    ("服务·专业咨询服务", False, ["审计服务", "法律服务", "资产评估服务", "工程造价咨询服务", "规划编制服务",
                           "社会调查服务", "会计代理服务", "测绘服务", "项目绩效评价服务", "档案整理服务"]),
    ("服务·社会及公共服务", False, ["养老服务", "保险服务", "城市环卫保洁服务", "垃圾清运服务", "公交运营服务",
                            "医疗废物处置服务", "培训服务", "残疾人托养服务", "救助管理服务"]),
]

# 国有土地: 经营性用地 by 招标/拍卖/挂牌 (L-001), the secondary market, and mining rights.
LAND_USES = ["城镇住宅用地", "商业用地", "商务金融用地", "商住混合用地", "工业用地", "仓储用地", "物流用地",
             "旅游用地", "娱乐康体用地", "加油加气站用地", "批发零售用地", "住宿餐饮用地"]
LAND_TYPES: list[tuple[str, list[str], str, str]] = [
    ("国有建设用地使用权招标出让", [f"招标出让·{use}" for use in LAND_USES], "L-001", ""),
    ("国有建设用地使用权拍卖出让", [f"拍卖出让·{use}" for use in LAND_USES], "L-001", ""),
    ("国有建设用地使用权挂牌出让", [f"挂牌出让·{use}" for use in LAND_USES], "L-001", ""),
    ("国有建设用地使用权转让", [f"二级市场转让·{use}" for use in LAND_USES], "", "土地二级市场交易"),
    ("采矿权出让", ["建筑用石料（凝灰岩）矿采矿权", "建筑用砂矿采矿权", "萤石矿采矿权", "叶蜡石矿采矿权",
                 "高岭土矿采矿权", "饰面用花岗岩矿采矿权", "钼矿采矿权", "矿泉水采矿权", "地热采矿权",
                 "砖瓦用页岩矿采矿权"], "", "矿业权出让，招标拍卖挂牌方式"),
    ("探矿权出让", ["萤石矿探矿权", "金矿探矿权", "银铅锌矿探矿权", "钼矿探矿权", "铜矿探矿权", "叶蜡石矿探矿权"],
     "", "矿业权出让，招标拍卖挂牌方式"),
]

# 国有资产 (企业国有资产交易监督管理办法 / 行政事业性国有资产管理).
ASSET_TYPES: list[tuple[str, list[str], str, Decimal | None]] = [
    ("企业产权转让", ["国有独资企业股权转让", "国有控股企业股权转让", "国有参股企业股权转让",
                 "国有实际控制企业股权转让", "合伙企业财产份额转让", "企业实物资产连同股权整体转让",
                 "所属企业产权无偿划转以外的产权转让"], "A-001", None),
    ("企业增资", ["国有独资企业增资扩股", "国有控股企业增资扩股", "国有实际控制企业增资扩股",
               "混合所有制改革引入战略投资者", "员工持股增资", "国有参股企业增资扩股"], "A-008", None),
    ("企业资产转让", ["房屋建筑物转让", "土地使用权随房产转让", "机器设备转让", "车辆转让", "知识产权转让",
                 "在建工程转让", "债权转让", "存货及废旧物资转让", "林木资产转让", "二手船舶转让",
                 "废旧电缆物资转让"], "A-009", Decimal("100") * WAN),
    ("行政事业单位国有资产处置", ["公务用车处置", "办公设备处置", "房屋建筑物处置", "报废资产处置",
                          "罚没物资处置", "涉案财物处置", "抵债资产处置", "公物仓资产处置"], "", None),
    ("国有资产出租", ["经营性用房出租", "沿街商铺出租", "标准厂房出租", "场地出租", "农贸市场摊位出租",
                 "公共停车场经营权出租", "户外广告位出租", "学校食堂及超市经营权出租",
                 "闲置办公用房出租", "仓库出租"], "", None),
]

# 特种项目: rights that the government grants or that are traded under regional rules.
SPECIAL_TYPES: list[tuple[str, list[str], str]] = [
    ("特许经营权", ["城市供水特许经营", "污水处理特许经营", "生活垃圾处理特许经营", "城市管道燃气特许经营",
               "城市公交线路经营权", "出租汽车经营权", "公共停车场特许经营", "充电基础设施特许经营",
               "景区经营权", "政府和社会资本合作（PPP）项目社会资本方选择", "城市集中供热特许经营",
               "旅游客运索道经营权"], "特许经营项目"),
    ("环境资源权益", ["化学需氧量排污权", "氨氮排污权", "二氧化硫排污权", "氮氧化物排污权", "碳排放权",
                "用能权", "取水权", "水库水面养殖权", "挥发性有机物排污权", "总磷排污权"], "环境权益交易"),
    ("林权", ["集体林地经营权流转", "国有林地经营权流转", "林木采伐权", "公益林经营权", "森林资源资产转让",
            "林下经济经营权", "毛竹林经营权", "林业碳汇减排量"], "林权交易"),
    ("公共资源冠名及广告", ["公共场馆冠名权", "道路桥梁冠名权", "公交车身广告经营权", "公交站台广告经营权",
                    "户外大型广告牌经营权", "机场及客运站广告经营权", "体育赛事冠名权"], "冠名权、广告经营权有偿使用"),
    ("其他公共资源", ["河道砂石开采权", "公共资源数据产品经营权", "农村集体资产经营权", "农村土地经营权流转",
                "渔业捕捞权", "公共停车泊位经营权", "城市地下空间使用权", "公共区域摊位经营权",
                "政府储备物资销售", "国有森林碳汇交易", "闲置校舍经营权"], "地方公共资源交易目录事项"),
]


def catalogue_rows() -> list[CatalogueRow]:
    rows: list[CatalogueRow] = []

    def add(category: str, type_index: int, type_name: str, item_index: int, item_name: str,
            sources: tuple[str, ...], threshold: Decimal | None, rule_code: str, note: str) -> None:
        type_code = f"{CATEGORY_CODES[Category(category)]}{type_index:02d}"
        rows.append(CatalogueRow(category=category, type_code=type_code, type_name=type_name,
                                 item_code=f"{type_code}-{item_index:03d}", item_name=item_name,
                                 funding_sources=tuple(str(s) for s in sources),
                                 threshold=(threshold.quantize(Decimal("0.01")) if threshold is not None else None),
                                 rule_code=rule_code, note=note))

    for t, works in enumerate(CONSTRUCTION_TYPES, start=1):
        for i, (contract, wan, rule) in enumerate(CONSTRUCTION_CONTRACTS, start=1):
            add(Category.CONSTRUCTION, t, works, i, f"{works}{contract}", STATE_FUNDS, wan * WAN, rule,
                "单项合同估算价达到标准")
    for t, (name, centralised, goods) in enumerate(PROCUREMENT_TYPES, start=1):
        for i, good in enumerate(goods, start=1):
            add(Category.GOVERNMENT_PROCUREMENT, t, name, i, good, BUDGET_ONLY,
                None if centralised else Decimal("100") * WAN, "P-001", CENTRALISED if centralised else DECENTRALISED)
    for t, (name, items, rule, note) in enumerate(LAND_TYPES, start=1):
        for i, item in enumerate(items, start=1):
            add(Category.LAND, t, name, i, item, (), None, rule, note or "经营性用地，招标拍卖挂牌方式出让")
    for t, (name, items, rule, threshold) in enumerate(ASSET_TYPES, start=1):
        for i, item in enumerate(items, start=1):
            add(Category.STATE_ASSETS, t, name, i, item, ASSETS, threshold, rule, "进入产权交易机构公开进行")
    for t, (name, items, note) in enumerate(SPECIAL_TYPES, start=1):
        for i, item in enumerate(items, start=1):
            add(Category.SPECIAL, t, name, i, item, (), None, "", note)
    return rows


def load() -> str:
    city = Region.objects.filter(code=CITY_CODE).first()
    if city is None:
        return "catalogue: city region missing, load the accounts demo first"
    existing = CatalogueVersion.objects.filter(region=city, title=TITLE).first()
    if existing is None:
        actor = User.objects.filter(role=Role.COMMITTEE_OFFICE).order_by("pk").first() or "system"
        version = version_create(actor=actor, region=city, title=TITLE, legal_basis=LEGAL_BASIS)
        version_content_replace(actor=actor, version=version, rows=catalogue_rows())
        existing = version_activate(actor=actor, version=version)
        created = "created"
    else:
        created = "already present"
    types = CatalogueType.objects.filter(version=existing).count()
    items = CatalogueItem.objects.filter(type__version=existing).count()
    return f"catalogue {existing} {created}: {types} types, {items} items, status {existing.status}"
