"""Roles, organisation kinds and supervisory domains."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CENTRE_STAFF = "centre_staff", _("Trading-centre staff")
    COMMITTEE_OFFICE = "committee_office", _("Committee office")
    PURCHASER = "purchaser", _("Purchaser / tenderer")
    AGENCY = "agency", _("Procurement agency")
    SUPPLIER = "supplier", _("Supplier / bidder")
    EXPERT = "expert", _("Evaluation expert")
    DEPARTMENT_SUPERVISOR = "department_supervisor", _("Department supervisor")
    DISCIPLINE_INSPECTION = "discipline_inspection", _("Discipline inspection")
    AUDIT = "audit", _("Audit")
    FINANCE = "finance", _("Finance")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


class OrganisationKind(models.TextChoices):
    TRADING_CENTRE = "trading_centre", _("Trading centre")
    COMMITTEE_OFFICE = "committee_office", _("Committee office")
    PURCHASER = "purchaser", _("Purchaser / tenderer")
    AGENCY = "agency", _("Agency")
    SUPPLIER = "supplier", _("Supplier")
    DEPARTMENT = "department", _("Administrative department")
    DISCIPLINE_INSPECTION = "discipline_inspection", _("Discipline inspection")
    AUDIT = "audit", _("Audit office")
    FINANCE = "finance", _("Finance bureau")


class Domain(models.TextChoices):
    """What an administrative department supervises (行政监督部门的监督领域)."""

    DEVELOPMENT_REFORM = "development_reform", _("Development and reform (发改)")
    FINANCE = "finance", _("Finance (财政)")
    HOUSING_CONSTRUCTION = "housing_construction", _("Housing and construction (住建)")
    NATURAL_RESOURCES = "natural_resources", _("Natural resources (自然资源)")
    STATE_ASSETS = "state_assets", _("State assets (国资)")
    HEALTH = "health", _("Health (卫健)")
    TRANSPORT = "transport", _("Transport (交通)")
    WATER = "water", _("Water resources (水利)")
    AGRICULTURE = "agriculture", _("Agriculture and rural affairs (农业农村)")


# Which roles a member of each organisation kind may hold.
ROLES_BY_KIND: dict[str, set[str]] = {
    OrganisationKind.TRADING_CENTRE: {Role.CENTRE_STAFF, Role.PLATFORM_ADMIN},
    OrganisationKind.COMMITTEE_OFFICE: {Role.COMMITTEE_OFFICE},
    OrganisationKind.PURCHASER: {Role.PURCHASER},
    OrganisationKind.AGENCY: {Role.AGENCY},
    OrganisationKind.SUPPLIER: {Role.SUPPLIER},
    OrganisationKind.DEPARTMENT: {Role.DEPARTMENT_SUPERVISOR},
    OrganisationKind.DISCIPLINE_INSPECTION: {Role.DISCIPLINE_INSPECTION},
    OrganisationKind.AUDIT: {Role.AUDIT},
    OrganisationKind.FINANCE: {Role.FINANCE},
}
