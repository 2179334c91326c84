"""Notice types and statuses.

A published notice is never edited: its status moves from published to withdrawn (the record stays public
with a banner), and a change of content is a new notice of the correction type linked to the original.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from yangguang.core.states import TransitionTable


class NoticeType(models.TextChoices):
    """Every notice type of rules.md §5 plus the centre's free-form notice and exemption publicity."""

    TENDER_CONSTRUCTION = "tender_construction", _("Tender notice (construction)")
    PREQUALIFICATION = "prequalification", _("Prequalification notice")
    TENDER_PROCUREMENT = "tender_procurement", _("Procurement notice (open tender)")
    CORRECTION = "correction", _("Correction / clarification notice")
    TERMINATION = "termination", _("Termination notice")
    FAILED_TENDER = "failed_tender", _("Failed tender notice")
    CANDIDATE_PUBLICITY = "candidate_publicity", _("Candidate publicity")
    AWARD_RESULT = "award_result", _("Award result notice")
    DEAL_RESULT = "deal_result", _("Deal result notice")
    SINGLE_SOURCE_PUBLICITY = "single_source_publicity", _("Single-source publicity")
    CONTRACT = "contract", _("Contract notice")
    LAND_LISTING = "land_listing", _("Land transfer notice")
    LAND_LISTING_INFO = "land_listing_info", _("Land listing information")
    LAND_RESULT = "land_result", _("Land transfer result notice")
    ASSET_DISCLOSURE = "asset_disclosure", _("Property transfer disclosure")
    ASSET_RESULT = "asset_result", _("Property transfer result publicity")
    EXEMPTION_PUBLICITY = "exemption_publicity", _("Exemption publicity")
    EXEMPT_TRADE_REPORT = "exempt_trade_report", _("Trade result of an exempt project")
    REVERSE_AUCTION = "reverse_auction", _("Reverse auction announcement")
    REVERSE_AUCTION_RESULT = "reverse_auction_result", _("Reverse auction result notice")
    FAILED_SALE = "failed_sale", _("Failed sale notice (流拍)")
    CENTRE_NOTICE = "centre_notice", _("Centre notice")


class NoticeStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


NOTICE_MOVES = TransitionTable({
    "withdraw": ([NoticeStatus.PUBLISHED], NoticeStatus.WITHDRAWN),
    "correct": ([NoticeStatus.PUBLISHED], NoticeStatus.PUBLISHED),
})

STEP_NAMES = [gettext_noop("withdraw"), gettext_noop("correct")]
