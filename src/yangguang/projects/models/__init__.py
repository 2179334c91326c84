"""Models of the projects app: intake (:mod:`.intake`) and must-trade enforcement (:mod:`.musttrade`)."""

from .intake import Project, ProjectDocument, ProjectFunding
from .musttrade import (
    Bulletin,
    ExemptionDecision,
    ExemptionDocument,
    ExemptionRequest,
    FundingCheck,
    Investigation,
    ProjectListEntry,
    ProjectListImport,
    TradeReport,
    Violation,
)

__all__ = [
    "Bulletin", "ExemptionDecision", "ExemptionDocument", "ExemptionRequest", "FundingCheck", "Investigation",
    "Project", "ProjectDocument", "ProjectFunding", "ProjectListEntry", "ProjectListImport", "TradeReport",
    "Violation",
]
