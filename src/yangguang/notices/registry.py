"""The registry of notice types: what each type must state, how long it stays up, and the legal source.

Field lists follow ``rules.md`` §5 (the statutory minimum where the law lists one). A source without a mark
was checked word for word (rules.md ✅V); ⚠ marks an unconfirmed or secondary source, built as data to be
verified. The mandatory-field check of an unconfirmed type still applies, because a notice missing its core
facts is useless to the public whatever the exact article says. A publicity minimum is ``(n, unit)``; the
window closes at :func:`yangguang.core.deadlines.deadline` of the publish time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yangguang.catalogue.states import Category
from yangguang.core.deadlines import DayUnit

from .states import NoticeType


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Promise


@dataclass(frozen=True)
class TypeSpec:
    code: str
    category: str | None  # the default category, None where the type serves several
    fields: tuple[FieldSpec, ...]
    source: str
    confirmed: bool
    publicity_days: int | None = None
    publicity_unit: DayUnit = DayUnit.CALENDAR_DAY
    staff_only: bool = False  # published by the centre only, never by a purchaser or agency
    optional_fields: tuple[FieldSpec, ...] = field(default_factory=tuple)
    # Filled in by the platform, never on a form (the corrected notice's code on a correction).
    system_fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return str(NoticeType(self.code).label)

    def field_label(self, key: str) -> str:
        for spec in (*self.fields, *self.optional_fields, *self.system_fields):
            if spec.key == key:
                return str(spec.label)
        return key


def F(key: str, label: Promise) -> FieldSpec:
    return FieldSpec(key, label)


# Shared field groups.
BUYER = F("purchaser", _("Purchaser / tenderer and agency: names, addresses, contacts"))
PROJECT = F("project_name_code", _("Project name and number"))
ITEMS = F("main_items", _("Main items: name, specification, quantity, unit price, service requirements"))
EXPERTS = F("experts", _("Evaluation experts"))
GROUND = F("ground", _("Ground"))
BASIS = F("legal_basis", _("Legal basis"))
PARCEL = F("parcel", _("Parcel: location, area, use, term of use, planning indicators"))
OBJECTION = F("objection_channel", _("How and where to raise an objection"))

TYPES: dict[str, TypeSpec] = {spec.code: spec for spec in [
    TypeSpec(NoticeType.TENDER_CONSTRUCTION, Category.CONSTRUCTION, (
        F("tenderer", _("Tenderer's name and address")),
        F("nature_quantity", _("Nature and quantity of the project")),
        F("place_time", _("Place and time of performance")),
        F("documents_how", _("How to obtain the tender documents")),
        F("bid_deadline", _("Bid deadline and opening")),
    ), "招标投标法 第16条; 招标公告和公示信息发布管理办法 ⚠", True),
    TypeSpec(NoticeType.PREQUALIFICATION, None, (
        F("purchaser_project", _("Purchaser and project name")),
        F("requirements", _("Procurement requirements")),
        F("qualification", _("Qualification requirements")),
        F("application_time_place", _("Time and place to submit applications")),
    ), "招标投标法实施条例 第15条; 政府采购法实施条例 第21条 (≥ 5 working days)", True,
        5, DayUnit.WORKING_DAY),
    TypeSpec(NoticeType.TENDER_PROCUREMENT, Category.GOVERNMENT_PROCUREMENT, (
        BUYER,
        F("budget", _("Project name, budget and maximum price")),
        F("requirements", _("Procurement requirements")),
        F("qualification", _("Bidder qualification requirements")),
        F("documents_how", _("Time, place, method and price of the tender documents")),
        F("bid_deadline", _("Bid deadline, opening time and place")),
        F("contact", _("Project contact and telephone")),
    ), "财政部令第87号 第13条; 公告期限 5个工作日 第16条", True, 5, DayUnit.WORKING_DAY),
    TypeSpec(NoticeType.CORRECTION, None, (
        F("changes", _("What changed")),
    ), "财政部令第87号 第27条; 招标投标法实施条例 第21条", True,
        optional_fields=(F("new_deadline", _("New deadlines")),),
        system_fields=(F("original", _("Corrected notice")),)),
    TypeSpec(NoticeType.TERMINATION, None, (
        PROJECT, GROUND, BASIS,
        F("refund", _("Refund of fees and securities")),
    ), "财政部令第87号 第29条; 招标投标法实施条例 第31条", True),
    TypeSpec(NoticeType.FAILED_TENDER, None, (
        PROJECT, GROUND, BASIS,
        F("next_step", _("Next step (re-tender or change of method)")),
    ), "政府采购法 第36条; 招标投标法 第28、42条", True),
    TypeSpec(NoticeType.CANDIDATE_PUBLICITY, Category.CONSTRUCTION, (
        PROJECT,
        F("candidates", _("Candidates in rank order with bid price, quality and duration")),
        F("evaluation", _("Evaluation summary")),
        OBJECTION,
    ), "招标投标法实施条例 第54条 (publicity ≥ 3 days); 发改委令第10号 第6条 ⚠", True, 3),
    TypeSpec(NoticeType.AWARD_RESULT, None, (
        BUYER, PROJECT,
        F("winner", _("Winning bidder: name, address and amount")),
        ITEMS, EXPERTS,
    ), "财政部令第87号 第69条 (公告期限 1个工作日)", True, 1, DayUnit.WORKING_DAY),
    TypeSpec(NoticeType.DEAL_RESULT, Category.GOVERNMENT_PROCUREMENT, (
        BUYER, PROJECT,
        F("supplier", _("Supplier: name, address and amount")),
        ITEMS, EXPERTS,
    ), "政府采购法实施条例 第43条", True),
    TypeSpec(NoticeType.SINGLE_SOURCE_PUBLICITY, Category.GOVERNMENT_PROCUREMENT, (
        F("purchaser_project", _("Purchaser and project name")),
        F("goods_services", _("Goods or services to be procured")),
        F("reason", _("Why single source")),
        F("supplier", _("Proposed sole supplier: name and address")),
        F("expert_opinion", _("Expert opinion")),
        OBJECTION,
    ), "政府采购法实施条例 第38条 (≥ 5 working days); 财政部令第74号 第38条 ⚠", True, 5, DayUnit.WORKING_DAY),
    TypeSpec(NoticeType.CONTRACT, Category.GOVERNMENT_PROCUREMENT, (
        F("parties", _("Parties: names and domiciles")),
        F("subject", _("Subject matter")),
        F("quantity", _("Quantity")),
        F("quality", _("Quality")),
        F("price", _("Price or remuneration")),
        F("performance", _("Term, place and manner of performance")),
        F("acceptance", _("Acceptance requirements")),
        F("liability", _("Liability for breach")),
        F("disputes", _("Dispute resolution")),
    ), "政府采购法实施条例 第50条; 财政部令第87号 第72条", True),
    TypeSpec(NoticeType.LAND_LISTING, Category.LAND, (
        F("seller", _("Seller's name and address")),
        PARCEL,
        F("qualification", _("Bidder qualification and how to apply")),
        F("documents_how", _("Time, place and method of obtaining the documents")),
        F("schedule", _("Time and place, listing period, bidding method")),
        F("winner_rule", _("How the winner is determined")),
        F("deposit", _("Bid deposit")),
    ), "国土资源部令第39号 第10、11条 ⚠ (≥ 20 days before the start)", False, 20),
    TypeSpec(NoticeType.LAND_LISTING_INFO, Category.LAND, (
        PARCEL,
        F("start_price", _("Starting price")),
        F("increment", _("Increment rule and step")),
        F("listing_period", _("Listing period")),
    ), "国土资源部令第39号 第19条 ⚠ (≥ 10 days; working days by local practice)", False, 10, DayUnit.WORKING_DAY),
    TypeSpec(NoticeType.LAND_RESULT, Category.LAND, (
        PARCEL,
        F("winner", _("Winning bidder")),
        F("price", _("Transaction price")),
        F("method", _("Method (tender, auction, listing)")),
    ), "国土资源部令第39号 第22、23条 ⚠", False),
    TypeSpec(NoticeType.ASSET_DISCLOSURE, Category.STATE_ASSETS, (
        F("subject", _("The object of the transfer")),
        F("shareholders", _("Shareholder structure of the target")),
        F("approval", _("Decision and approval of the transfer")),
        F("financials", _("Main financial figures (last audit and latest statements)")),
        F("appraisal", _("Appraisal approval or filing")),
        F("conditions", _("Transaction conditions and reserve price")),
        F("bidding_method", _("Bidding method and selection criteria")),
    ), "企业国有资产交易监督管理办法 (国资委 财政部令第32号) 第13、15条 ⚠ (≥ 20 working days)", False,
        20, DayUnit.WORKING_DAY,
        optional_fields=(F("buyer_qualification", _("Buyer qualification")),
                         F("management", _("Management participation, pre-emption waivers")))),
    TypeSpec(NoticeType.ASSET_RESULT, Category.STATE_ASSETS, (
        F("subject", _("The object of the transfer")),
        F("buyer", _("Buyer")),
        F("price", _("Transaction price")),
        F("method", _("Transaction method")),
    ), "企业国有资产交易监督管理办法 第27、29条 ⚠ (≥ 5 working days)", False, 5, DayUnit.WORKING_DAY),
    TypeSpec(NoticeType.EXEMPTION_PUBLICITY, None, (
        PROJECT,
        F("reason", _("Reason for trading outside the platform")),
        F("approval", _("Approving body and approval number")),
    ), "local rule (一事一审一批; e.g. 宁波市公共资源交易管理条例) ⚠ (5 working days by local practice)", False,
        5, DayUnit.WORKING_DAY, staff_only=True),
    TypeSpec(NoticeType.EXEMPT_TRADE_REPORT, None, (
        PROJECT,
        F("exemption", _("Exemption ID")),
        F("trade_date", _("Trade date")),
        F("suppliers", _("Suppliers and contract amounts")),
        F("total_price", _("Total price")),
    ), "platform rule Y-001 (post-trade report within 20 days, reviewed and published by the committee office; "
       "local practice) ⚠", False, staff_only=True),
    TypeSpec(NoticeType.REVERSE_AUCTION, Category.GOVERNMENT_PROCUREMENT, (
        BUYER,
        PROJECT,
        ITEMS,
        F("schedule", _("Bidding period, starting price and decrement")),
        F("qualification", _("Supplier qualification and how to take part")),
    ), "政府采购 电子竞价 local rules (reverse auction; no national article) ⚠", False, staff_only=True),
    TypeSpec(NoticeType.REVERSE_AUCTION_RESULT, Category.GOVERNMENT_PROCUREMENT, (
        PROJECT,
        F("supplier", _("Winning supplier")),
        F("price", _("Transaction price")),
        F("bids", _("Number of bids and lowest compliant price rule")),
    ), "政府采购 电子竞价 local rules; by analogy 政府采购法实施条例 第43条 ⚠", False, staff_only=True),
    TypeSpec(NoticeType.FAILED_SALE, None, (
        F("subject", _("The object of the sale")),
        F("ground", _("Why the sale failed (no bid, reserve not reached, too few bidders)")),
        F("next_step", _("What happens next (re-listing, price change)")),
    ), "国土资源部令第39号 第15–16、20条 (no bid, or none reaches the reserve: no deal; rules.md L-006, L-008); "
       "企业国有资产交易监督管理办法 第17、18条 (relisting; A-004) ⚠", False, staff_only=True),
    TypeSpec(NoticeType.CENTRE_NOTICE, None, (), "—", True, staff_only=True),
]}


def type_spec(code: str) -> TypeSpec | None:
    return TYPES.get(code)
