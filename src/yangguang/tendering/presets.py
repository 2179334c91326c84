"""Procedure methods as presets: a configuration record per method plus a small strategy object where the
behaviour truly differs (how bidders learn of the procedure). No ``if method == …`` elsewhere.

Every legal number is read from the rule set (``yangguang.rules``) through a :class:`RuleRef`: the rule code
and the parameter keys, so the number, its unit and its legal source live in one place (rules.md §1) and a
confirmed rule blocks while an unconfirmed one only warns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yangguang.catalogue.states import Category
from yangguang.notices.states import NoticeType
from yangguang.rules.selectors import rule_param

if TYPE_CHECKING:
    from .models import Procedure


@dataclass(frozen=True)
class RuleRef:
    """A legal number: rule ``code``, parameter ``key`` for the number and ``unit_key`` for its day unit."""

    code: str
    key: str = "n"
    unit_key: str = "unit"

    def n(self) -> int:
        return int(rule_param(self.code, self.key))

    def unit(self) -> str:
        return str(rule_param(self.code, self.unit_key))

    def ratio(self) -> Any:
        from decimal import Decimal

        return Decimal(str(rule_param(self.code, self.key)))


class EvaluationMethod:
    """Codes the evaluation issue consumes (rules.md §2)."""

    LOWEST_EVALUATED_PRICE = "lowest_evaluated_price"  # 工程 经评审的最低投标价法 (TBL 第41条)
    COMPREHENSIVE_EVALUATION = "comprehensive_evaluation"  # 工程 综合评估法
    LOWEST_PRICE = "lowest_price"  # 政采 最低评标价法 (M87 第54条)
    COMPREHENSIVE_SCORE = "comprehensive_score"  # 政采 综合评分法 (M87 第55条)
    LOWEST_QUOTE = "lowest_quote"  # 谈判/询价: 质量和服务相等且报价最低 (GPL 第38、40条)
    NEGOTIATED = "negotiated"  # 单一来源: 协商确定

    LABELS: dict[str, Promise] = {
        LOWEST_EVALUATED_PRICE: _("Lowest evaluated price (works)"),
        COMPREHENSIVE_EVALUATION: _("Comprehensive evaluation (works)"),
        LOWEST_PRICE: _("Lowest evaluated price (procurement)"),
        COMPREHENSIVE_SCORE: _("Comprehensive scoring (procurement)"),
        LOWEST_QUOTE: _("Lowest quotation meeting the requirements"),
        NEGOTIATED: _("Price agreed with the sole supplier"),
    }
    # Methods whose criteria carry weights that must add up to 100.
    WEIGHTED = frozenset({COMPREHENSIVE_EVALUATION, COMPREHENSIVE_SCORE})


class Strategy:
    """How suppliers come to a procedure. The default: a public tender notice, any eligible supplier."""

    public_notice = True
    invitations = False
    names_supplier_in_notice = False

    def may_register(self, procedure: Procedure, organisation_id: int) -> bool:
        return True


class InvitationStrategy(Strategy):
    """Restricted tender, negotiation, consultation, RFQ: only invited suppliers from the pool take part."""

    public_notice = False
    invitations = True

    def may_register(self, procedure: Procedure, organisation_id: int) -> bool:
        return procedure.invitations.filter(organisation_id=organisation_id).exists()


class SingleSourceStrategy(InvitationStrategy):
    """Single source: the sole supplier is named in a publicity notice (GPLR 第38条) and invited."""

    public_notice = True
    names_supplier_in_notice = True


@dataclass(frozen=True)
class MethodPreset:
    code: str
    label: Promise
    category: str
    bid_period: RuleRef  # from the documents' issue to the bid deadline
    clarification: RuleRef  # an amendment later than this before the deadline postpones it
    security_cap: RuleRef  # bid security ≤ ratio × budget (key "max_ratio")
    evaluation_methods: tuple[str, ...]
    notice_type: str | None  # the public notice published on publishing (None: invitations only)
    strategy: Strategy
    min_bidders: RuleRef | None  # None: one bidder is the method itself (single source)
    document_period: RuleRef | None = None
    notice_period: RuleRef | None = None  # publicity of the notice itself (政采 P-005 / single source P-056)
    min_invitees: RuleRef | None = None
    prequalification: bool = False
    objection_window: RuleRef | None = None
    complaint_window: RuleRef | None = None
    exactly_one_invitee: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label_text(self) -> str:
        return str(self.label)


_OPEN, _INVITE, _SINGLE = Strategy(), InvitationStrategy(), SingleSourceStrategy()
_WORKS = dict(category=Category.CONSTRUCTION, bid_period=RuleRef("G-011"), clarification=RuleRef("G-012"),
              security_cap=RuleRef("G-014", "max_ratio"), min_bidders=RuleRef("G-023", "min"),
              document_period=RuleRef("G-009"), objection_window=RuleRef("G-013", "bid_n"),
              complaint_window=RuleRef("G-043"),
              evaluation_methods=(EvaluationMethod.LOWEST_EVALUATED_PRICE, EvaluationMethod.COMPREHENSIVE_EVALUATION))
_GP = dict(category=Category.GOVERNMENT_PROCUREMENT, security_cap=RuleRef("P-013", "max_ratio"),
           objection_window=RuleRef("P-040"), complaint_window=RuleRef("P-043"))
_GP_TENDER = dict(_GP, bid_period=RuleRef("P-007"), clarification=RuleRef("P-009"),
                  min_bidders=RuleRef("P-019", "min"), document_period=RuleRef("P-006"),
                  evaluation_methods=(EvaluationMethod.LOWEST_PRICE, EvaluationMethod.COMPREHENSIVE_SCORE))
_GP_SMALL = dict(_GP, min_bidders=RuleRef("P-050", "min_suppliers"), min_invitees=RuleRef("P-050", "min_suppliers"),
                 notice_type=None, strategy=_INVITE)

PRESETS: dict[str, MethodPreset] = {p.code: p for p in [
    MethodPreset("works_open", _("Works: open tender (公开招标)"), notice_type=NoticeType.TENDER_CONSTRUCTION,
                 strategy=_OPEN, **_WORKS),  # type: ignore[arg-type]
    MethodPreset("works_open_prequalification", _("Works: open tender with prequalification"),
                 notice_type=NoticeType.TENDER_CONSTRUCTION, strategy=_OPEN, prequalification=True,
                 **_WORKS),  # type: ignore[arg-type]
    MethodPreset("works_restricted", _("Works: restricted tender (邀请招标)"), notice_type=None, strategy=_INVITE,
                 min_invitees=RuleRef("G-007", "min"), **_WORKS),  # type: ignore[arg-type]
    MethodPreset("works_restricted_prequalification", _("Works: restricted tender with prequalification"),
                 notice_type=None, strategy=_INVITE, min_invitees=RuleRef("G-007", "min"), prequalification=True,
                 **_WORKS),  # type: ignore[arg-type]
    MethodPreset("procurement_open", _("Procurement: open tender (公开招标)"),
                 notice_type=NoticeType.TENDER_PROCUREMENT, strategy=_OPEN, notice_period=RuleRef("P-005"),
                 **_GP_TENDER),  # type: ignore[arg-type]
    MethodPreset("procurement_restricted", _("Procurement: restricted tender (邀请招标)"), notice_type=None,
                 strategy=_INVITE, min_invitees=RuleRef("P-004", "min"), **_GP_TENDER),  # type: ignore[arg-type]
    MethodPreset("procurement_negotiation", _("Procurement: competitive negotiation (竞争性谈判)"),
                 bid_period=RuleRef("P-052"), clarification=RuleRef("P-054"),
                 evaluation_methods=(EvaluationMethod.LOWEST_QUOTE,), **_GP_SMALL),  # type: ignore[arg-type]
    MethodPreset("procurement_consultation", _("Procurement: competitive consultation (竞争性磋商)"),
                 bid_period=RuleRef("P-058"), document_period=RuleRef("P-059"),
                 clarification=RuleRef("P-059", "clarification_n", "clarification_unit"),
                 evaluation_methods=(EvaluationMethod.COMPREHENSIVE_SCORE,), **_GP_SMALL),  # type: ignore[arg-type]
    MethodPreset("procurement_rfq", _("Procurement: request for quotation (询价)"),
                 bid_period=RuleRef("P-053"), clarification=RuleRef("P-054"),
                 evaluation_methods=(EvaluationMethod.LOWEST_QUOTE,), **_GP_SMALL),  # type: ignore[arg-type]
    MethodPreset("procurement_single_source", _("Procurement: single source (单一来源)"),
                 notice_type=NoticeType.SINGLE_SOURCE_PUBLICITY, strategy=_SINGLE,
                 # The response may not be due before the publicity (≥ 5 working days) is over.
                 bid_period=RuleRef("P-056"), notice_period=RuleRef("P-056"), clarification=RuleRef("P-054"),
                 min_bidders=None, exactly_one_invitee=True, evaluation_methods=(EvaluationMethod.NEGOTIATED,),
                 **_GP),  # type: ignore[arg-type]
]}

METHOD_CHOICES = [(p.code, p.label) for p in PRESETS.values()]


def preset_get(code: str) -> MethodPreset:
    from yangguang.core.errors import ValidationFailed

    preset = PRESETS.get(code)
    if preset is None:
        raise ValidationFailed(_("Unknown procedure method."), code="invalid_method", field="method")
    return preset
