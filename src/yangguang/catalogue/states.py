from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yangguang.core.states import TransitionTable


class Category(models.TextChoices):
    """The five categories of public resource trading (公共资源交易目录一级分类)."""

    CONSTRUCTION = "construction", _("Construction projects (工程建设)")
    GOVERNMENT_PROCUREMENT = "government_procurement", _("Government procurement (政府采购)")
    LAND = "land", _("State land (国有土地)")
    STATE_ASSETS = "state_assets", _("State assets (国有资产)")
    SPECIAL = "special", _("Special projects (特种项目)")


CATEGORY_CODES = {
    Category.CONSTRUCTION: "GC",
    Category.GOVERNMENT_PROCUREMENT: "CG",
    Category.LAND: "TD",
    Category.STATE_ASSETS: "ZC",
    Category.SPECIAL: "TZ",
}


class FundingSource(models.TextChoices):
    """Where a project's money comes from; must-trade rules are scoped by these."""

    BUDGET = "budget", _("Fiscal budget funds (预算资金)")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise funds (国有企事业单位资金)")
    STATE_FINANCING = "state_financing", _("State financing / bonds (国家融资)")
    INTERNATIONAL_LOAN = "international_loan", _("International organisation loans (国际组织贷款)")
    SELF_RAISED = "self_raised", _("Self-raised funds (自筹资金)")
    SOCIAL_CAPITAL = "social_capital", _("Private capital (社会资本)")
    STATE_ASSET_PROCEEDS = "state_asset_proceeds", _("State asset transaction (国有资产交易)")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In force")
    RETIRED = "retired", _("Retired")


VERSION_MOVES = TransitionTable({
    "activate": ([VersionStatus.DRAFT], VersionStatus.ACTIVE),
    "retire": ([VersionStatus.ACTIVE], VersionStatus.RETIRED),
})
