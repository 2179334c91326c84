"""Fill the zh-Hans catalogue of the platform-wide strings (core, accounts, portal, base templates).

Run after `make messages`; the catalogue is then compiled by `yangguang compilemessages`."""

import sys

import polib

ZH = {
    "Your role does not give access to this page.": "您的角色无权访问此页面。",
    "Your role does not give access to this operation.": "您的角色无权执行此操作。",
    "People, organisations and centres": "人员、单位与交易中心",
    "City": "市", "County / district": "县（市、区）", "division code": "行政区划代码", "name": "名称",
    "English name": "英文名称", "level": "层级", "parent region": "上级区划", "region": "区划", "regions": "区划",
    "centre code": "中心代码", "active": "启用", "address": "地址", "phone": "电话", "trading centre": "交易中心",
    "trading centres": "交易中心", "kind": "类型", "unified social credit code": "统一社会信用代码",
    "supervised domains": "监管领域", "contact person": "联系人", "contact phone": "联系电话",
    "organisation": "单位", "organisations": "单位", "role": "角色", "mobile phone": "手机号码", "user": "用户",
    "users": "用户", "Workbench": "工作台", "Your tasks and pages": "待办事项与功能入口", "My account": "我的账户",
    "Your organisation, role and password": "所属单位、角色与密码", "Organisations and people": "单位与人员",
    "Centres, departments, purchasers and their users": "交易中心、监管部门、采购人及其用户",
    "Unknown organisation kind.": "未知的单位类型。",
    "An organisation with this credit code is already registered.": "该统一社会信用代码的单位已注册。",
    "A member of a %(kind)s cannot hold this role.": "%(kind)s的人员不能担任此角色。",
    "This user name is taken.": "该用户名已被使用。",
    "Trading-centre staff": "交易中心工作人员", "Committee office": "管委办", "Purchaser / tenderer": "采购人/招标人",
    "Procurement agency": "代理机构", "Supplier / bidder": "供应商/投标人", "Evaluation expert": "评标专家",
    "Department supervisor": "行政监督部门", "Discipline inspection": "纪检监察", "Audit": "审计", "Finance": "财政",
    "Platform administrator": "平台管理员", "Trading centre": "交易中心", "Agency": "代理机构", "Supplier": "供应商",
    "Administrative department": "行政监督部门", "Audit office": "审计局", "Finance bureau": "财政局",
    "Development and reform (发改)": "发展改革", "Finance (财政)": "财政", "Housing and construction (住建)": "住房城乡建设",
    "Natural resources (自然资源)": "自然资源", "State assets (国资)": "国有资产监管", "Health (卫健)": "卫生健康",
    "Transport (交通)": "交通运输", "Water resources (水利)": "水利", "Agriculture and rural affairs (农业农村)": "农业农村",
    "Not allowed": "无权访问", "Back to your workbench": "返回工作台", "Sign in": "登录", "User name": "用户名",
    "Password": "密码", "Suppliers without an account:": "尚无账户的供应商：", "register here": "在此注册",
    "Kind": "类型", "All": "全部", "Filter": "筛选", "Name": "名称", "Region": "区划", "Supervised domains": "监管领域",
    "Users": "用户数", "Nothing here yet.": "暂无内容。", "Role": "角色", "Organisation": "单位",
    "Change password": "修改密码", "%(role)s workbench": "%(role)s工作台",
    "Your password has been changed.": "密码已修改。", "Please sign in.": "请先登录。",
    "Some fields are missing or invalid.": "部分字段缺失或无效。",
    "No checkpoint has been signed yet.": "尚未签发任何检查点。",
    "The tree size is larger than the log.": "树的大小超过了日志的事件数。",
    "Index %(index)s is not in a tree of %(size)s events.": "序号 %(index)s 不在 %(size)s 个事件的树中。",
    "Platform core": "平台核心", "calendar days": "日（自然日）", "working days": "工作日",
    "The %(year)s State Council holiday notice has not been entered: deadlines in %(year)s count weekends only and "
    "are marked provisional.":
        "尚未录入%(year)s年国务院办公厅节假日安排通知：%(year)s年的期限暂按周末计算，并标记为暂定。",
    "The %(y)s State Council holiday notice has not been entered: deadlines in %(y)s count weekends only and are "
    "marked provisional.":
        "尚未录入%(y)s年国务院办公厅节假日安排通知：%(y)s年的期限暂按周末计算，并标记为暂定。",
    "Line %(n)s: “%(line)s” does not start with a date like 2027-10-01 or 2027-10-01..2027-10-07.":
        "第%(n)s行：“%(line)s”不是以日期开头（例如 2027-10-01 或 2027-10-01..2027-10-07）。",
    "Line %(n)s: the dates must lie in %(year)s, in order.": "第%(n)s行：日期须在%(year)s年内且按先后顺序。",
    "event": "事件", "events": "事件", "holiday": "法定节假日", "make-up working day": "调休工作日",
    "Holiday calendar": "节假日日历", "Enter each year's State Council holiday notice": "录入每年国务院节假日安排",
    "Public log": "公开日志", "The signed, verifiable event log": "经签名、可验证的事件日志",
    "“%(step)s” is not allowed while the status is “%(status)s”.": "当前状态为“%(status)s”，不允许“%(step)s”。",
    "The file is empty.": "文件为空。", "The file is larger than 200 MB.": "文件超过 200 MB。",
    "The file arrived damaged: its SHA-256 does not match the one sent. Please upload it again.":
        "文件传输损坏：SHA-256 与提交的值不一致，请重新上传。",
    "Year": "年份", "Source (State Council notice number)": "依据（国务院办公厅通知文号）", "Holidays": "法定节假日",
    "One per line: a date or a range and the holiday's name, e.g. 2027-10-01..2027-10-07 国庆节":
        "每行一项：日期或日期范围及节日名称，例如 2027-10-01..2027-10-07 国庆节",
    "Make-up working days (调休)": "调休上班日",
    "One per line: a weekend date that is a working day, e.g. 2027-09-26 国庆节调休":
        "每行一项：调休上班的周末日期，例如 2027-09-26 国庆节调休",
    "Years entered": "已录入年份", "Source": "依据", "Entered": "录入时间", "Enter a year": "录入年度安排",
    "Save": "保存", "Coming exceptions to the working week": "近期节假日与调休", "Date": "日期",
    "None entered.": "尚未录入。", "The platform's public, tamper-evident log": "平台公开的防篡改日志",
    "Every state change on this platform — a project accepted, a supplier approved, a catalogue changed — is "
    "appended to an event log. Each event is a leaf of an RFC 6962 Merkle tree (the structure of Certificate "
    "Transparency), and the platform signs the tree head with its Ed25519 key. Nobody, including the platform's own "
    "staff, can change or remove an event without the signed heads exposing it.":
        "本平台的每一次状态变化——项目受理、供应商审核通过、交易目录调整——都追加记录到事件日志。每个事件都是 RFC 6962 "
        "默克尔树（证书透明度所用的结构）的叶子，平台用 Ed25519 密钥对树头签名。任何人，包括平台工作人员，都无法在不被已签名"
        "树头发现的情况下修改或删除事件。",
    "Latest signed head": "最新签名树头", "Tree size (events)": "树大小（事件数）", "Root hash (SHA-256)": "根哈希（SHA-256）",
    "Signed at": "签名时间", "Signature (Ed25519, base64)": "签名（Ed25519，base64）", "Public key (base64)": "公钥（base64）",
    "Signed note:": "签名文本：",
    "%(size)s events in the log now; events after the signed head are covered by the next checkpoint.":
        "日志当前共有 %(size)s 个事件；签名树头之后的事件将纳入下一个检查点。",
    "How to verify": "如何验证", "Fetch the head:": "获取树头：",
    "Check the signature: the Ed25519 signature must verify over the exact bytes of “note” with the published "
    "public key.": "验证签名：用公布的公钥对“note”的原始字节验证 Ed25519 签名。",
    "Fetch the inclusion proof of an event:": "获取某个事件的包含证明：",
    "Verify the audit path with any RFC 6962 / RFC 9162 verifier: leaf hash = SHA-256(0x00 ‖ entry), node hash = "
    "SHA-256(0x01 ‖ left ‖ right), against the root hash of the head.":
        "用任一 RFC 6962 / RFC 9162 验证程序核对审计路径：叶哈希 = SHA-256(0x00 ‖ 条目)，节点哈希 = "
        "SHA-256(0x01 ‖ 左 ‖ 右)，与树头的根哈希比对。",
    "Keep the heads you fetch: a later head must contain every earlier one.": "请保存您获取的树头：后来的树头必须包含之前的每一个。",
    "The holidays of %(year)s have been entered.": "%(year)s年节假日安排已录入。",
    "Public portal": "公共门户", "Home": "首页", "Public resource trading, in the sunshine": "阳光下的公共资源交易",
    "Construction tendering, government procurement, state land, state assets and special projects of the city and "
    "its counties: traded here, published here, recorded in a public log anyone can verify.":
        "全市及各县（市、区）的工程建设招标投标、政府采购、国有土地、国有资产和特种项目：在此交易，在此公开，记入人人可验证的公开日志。",
    "Register as a supplier": "供应商注册", "Verify the public log": "验证公开日志", "Trading centres": "交易中心",
    "Public log: %(size)s events, signed head": "公开日志：%(size)s 个事件，已签名树头",
    "Yangguang Public Resource Trading": "阳光公共资源交易平台", "Skip to content": "跳到正文", "Yangguang": "阳光",
    "Public Resource Trading Platform": "公共资源交易平台", "Main": "主导航", "Supplier registration": "供应商注册",
    "Sign out": "退出", "Workbench pages": "工作台页面",
    "Yangguang — open-source public resource trading platform. Every step is recorded in a public, verifiable log.":
        "阳光——开源公共资源交易平台。每一步都记入公开、可验证的日志。",
    "Verify the log": "验证日志",
}


def main(path: str) -> int:
    po = polib.pofile(path)
    missing = []
    for entry in po:
        if entry.msgid in ZH:
            entry.msgstr = ZH[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.save(path)
    for m in missing:
        print("untranslated:", m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "src/yangguang/locale/zh_Hans/LC_MESSAGES/django.po"))
