"""Finding projects that escaped (漏进场): departments' project lists (approved investment projects,
budgets) are imported — an Excel or CSV upload, or JSON rows from a department system — and each row is
matched against intake and exemptions:

1. a project on the platform of the same owner (unified social credit code, else exact name) and the same
   name, or whose code is the row's reference → ``project`` (``exemption`` when it has an approved one);
2. otherwise the must-trade decision of the catalogue in force for the row's region: if some catalogue item
   of the row's category makes it must-trade (funding source and budget against the item's scope and
   threshold), the row is ``unmatched`` and becomes a suspected violation for the committee office to
   refer or dismiss; else ``not_must_trade``.

A file with a bad row is refused whole, naming the line; nothing is half-imported.

Columns (header row; English keys or the Chinese headers): reference 项目编号, name 项目名称, owner 项目单位,
owner_credit_code 统一社会信用代码, category 类别, budget 预算金额, funding_source 资金来源,
region 行政区划代码.
"""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yangguang.accounts.access import has_role
from yangguang.accounts.models import Organisation, Region
from yangguang.accounts.states import OrganisationKind, Role
from yangguang.catalogue.models import CatalogueItem
from yangguang.catalogue.selectors import must_trade_decide, version_in_force
from yangguang.catalogue.states import Category, FundingSource
from yangguang.core import dbclock
from yangguang.core.errors import PermissionDenied, ValidationFailed
from yangguang.core.eventlog import event_append

from .models import ExemptionRequest, Project, ProjectListEntry, ProjectListImport
from .musttrade_states import EntryMatch, ExemptionStatus, ViolationKind
from .states import ProjectStatus

MAX_ROWS = 5000
HEADERS = {
    "reference": "reference", "项目编号": "reference",
    "name": "name", "项目名称": "name",
    "owner": "owner", "项目单位": "owner",
    "owner_credit_code": "owner_credit_code", "统一社会信用代码": "owner_credit_code",
    "category": "category", "类别": "category",
    "budget": "budget", "预算金额": "budget",
    "funding_source": "funding_source", "资金来源": "funding_source",
    "region": "region", "行政区划代码": "region",
}
CATEGORY_WORDS = {"工程建设": Category.CONSTRUCTION, "政府采购": Category.GOVERNMENT_PROCUREMENT,
                  "国有土地": Category.LAND, "国有资产": Category.STATE_ASSETS, "特种项目": Category.SPECIAL}
SOURCE_WORDS = {"预算资金": FundingSource.BUDGET, "国有企事业单位资金": FundingSource.STATE_ENTERPRISE,
                "国家融资": FundingSource.STATE_FINANCING, "国际组织贷款": FundingSource.INTERNATIONAL_LOAN,
                "自筹资金": FundingSource.SELF_RAISED, "社会资本": FundingSource.SOCIAL_CAPITAL,
                "国有资产交易": FundingSource.STATE_ASSET_PROCEEDS}


def rows_from_file(name: str, data: bytes) -> list[dict[str, Any]]:
    """Rows of a .csv (UTF-8, with or without BOM; GB18030 accepted) or .xlsx file as dicts of known keys."""
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many types for a damaged file
            raise ValidationFailed(_("The file is not a readable .xlsx workbook."), code="invalid_file",
                                   field="file") from None
        sheet = book.worksheets[0]
        table = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    elif lower.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        table = list(csv.reader(io.StringIO(text)))
    else:
        raise ValidationFailed(_("Upload a .csv or .xlsx file."), code="invalid_file", field="file")
    table = [row for row in table if any(cell.strip() for cell in row)]
    if len(table) < 2:
        raise ValidationFailed(_("The file has no rows under its header."), code="empty", field="file")
    header = [HEADERS.get(cell.strip().lower(), HEADERS.get(cell.strip(), "")) for cell in table[0]]
    missing = {"name", "owner", "category", "budget", "funding_source", "region"} - set(header)
    if missing:
        raise ValidationFailed(_("The header row lacks the columns: %(cols)s.") % {"cols": ", ".join(sorted(missing))},
                               code="missing_columns", field="file")
    return [{key: cell.strip() for key, cell in zip(header, row, strict=False) if key} for row in table[1:]]


def _clean(line: int, row: dict[str, Any]) -> dict[str, Any]:
    def fail(message: str) -> ValidationFailed:
        return ValidationFailed(_("Line %(line)s: %(message)s") % {"line": line, "message": message},
                                code="invalid_row", field="rows")

    name = str(row.get("name") or "").strip()
    owner = str(row.get("owner") or "").strip()
    if not name or not owner:
        raise fail(_("the project name and owner are required."))
    category = str(row.get("category") or "").strip()
    category = CATEGORY_WORDS.get(category, category)
    if category not in Category.values:
        raise fail(_("unknown category."))
    source = str(row.get("funding_source") or "").strip()
    source = SOURCE_WORDS.get(source, source)
    if source not in FundingSource.values:
        raise fail(_("unknown funding source."))
    try:
        budget = Decimal(str(row.get("budget")).replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise fail(_("the budget is not an amount in yuan.")) from None
    if not budget.is_finite() or budget <= 0:
        raise fail(_("the budget must be greater than zero."))
    region = Region.objects.filter(code=str(row.get("region") or "").strip()).first()
    if region is None:
        raise fail(_("unknown region code."))
    credit = str(row.get("owner_credit_code") or "").strip().upper()
    if credit and len(credit) != 18:
        raise fail(_("a unified social credit code has 18 characters."))
    return {"reference": str(row.get("reference") or "").strip()[:60], "name": name[:200], "owner": owner[:120],
            "credit": credit, "category": category, "budget": budget, "source": source, "region": region}


def _match(row: dict[str, Any]) -> tuple[str, Project | None, str]:
    owner_q = Q(owner__credit_code=row["credit"]) if row["credit"] else Q(owner__name=row["owner"])
    live = ~Q(status=ProjectStatus.WITHDRAWN)
    project = Project.objects.filter(live, owner_q, name=row["name"]).order_by("-pk").first()
    if project is None and row["reference"]:
        project = Project.objects.filter(live, code=row["reference"]).first()
    if project is not None:
        exempt = ExemptionRequest.objects.filter(project=project, status=ExemptionStatus.APPROVED).first()
        if exempt is not None:
            return EntryMatch.EXEMPTION, project, exempt.code
        return EntryMatch.PROJECT, project, project.code or _("registered, not yet accepted")
    version = version_in_force(row["region"])
    if version is None:
        return EntryMatch.NOT_MUST_TRADE, None, _("no catalogue in force for the region")
    items = CatalogueItem.objects.select_related("type__version").filter(type__version=version,
                                                                         type__category=row["category"])
    for item in items.order_by("type__position", "position", "pk"):
        decision = must_trade_decide(item=item, funding_sources={row["source"]: row["budget"]}, budget=row["budget"])
        if decision.must_trade:
            return EntryMatch.UNMATCHED, None, f"{item.code}"
    return EntryMatch.NOT_MUST_TRADE, None, ""


def project_list_import(*, actor: Any, department: Organisation, rows: list[dict[str, Any]], source: str,
                        file_name: str = "", data: bytes = b"", api_key: Any = None) -> ProjectListImport:
    """Import one department's list; returns the batch with its entries matched. ``actor`` is a user of the
    department or of the committee office, or ``"system"`` with the department's ``api_key``."""
    from .violations import violation_record

    if api_key is not None:
        if api_key.organisation_id != department.pk:
            raise PermissionDenied(_("The key belongs to another organisation."))
    elif not (has_role(actor, Role.COMMITTEE_OFFICE)
              or (has_role(actor, Role.DEPARTMENT_SUPERVISOR) and actor.organisation_id == department.pk)):
        raise PermissionDenied(_("Only the department itself or the committee office may import its list."))
    if department.kind not in (OrganisationKind.DEPARTMENT, OrganisationKind.COMMITTEE_OFFICE):
        raise ValidationFailed(_("Choose an administrative department."), code="invalid_department",
                               field="department")
    if not isinstance(rows, list) or not rows:
        raise ValidationFailed(_("The list has no rows."), code="empty", field="rows")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(_("At most 5000 rows per import."), code="too_many_rows", field="rows")
    cleaned = [_clean(line, row if isinstance(row, dict) else {}) for line, row in enumerate(rows, start=2)]
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        batch = ProjectListImport.objects.create(
            department=department, source=source, file_name=file_name[:200],
            sha256=hashlib.sha256(data).hexdigest() if data else "", imported_by=user,
            api_key_id=api_key.pk if api_key is not None else None, imported_at=dbclock.db_now(), rows=len(cleaned))
        entries = []
        for line, row in enumerate(cleaned, start=2):
            match, project, note = _match(row)
            entries.append(ProjectListEntry(
                batch=batch, line=line, reference=row["reference"], name=row["name"], owner_name=row["owner"],
                owner_credit_code=row["credit"], category=row["category"], budget=row["budget"],
                funding_source=row["source"], region=row["region"], match=match, project=project, note=note[:300]))
        ProjectListEntry.objects.bulk_create(entries)
        unmatched = [e for e in batch.entries.order_by("line") if e.match == EntryMatch.UNMATCHED]
        batch.unmatched = len(unmatched)
        batch.save(update_fields=["unmatched"])
        event = event_append(action="projects.project_list.imported", actor=user or "system", obj=batch, payload={
            "department": department.pk, "source": source, "rows": len(cleaned), "unmatched": len(unmatched),
            "sha256": batch.sha256, "api_key": batch.api_key_id})
        for entry in unmatched:
            violation_record(
                actor=user or "system", kind=ViolationKind.ESCAPED, region=entry.region, entry=entry,
                evidence=[event.seq], referred=False,
                summary=_("Line %(line)s of %(department)s's list (%(ref)s, budget %(budget)s yuan) is in the "
                          "trading catalogue (item %(item)s) but was never entered on the platform.")
                % {"line": entry.line, "department": department.name, "ref": entry.reference or "—",
                   "budget": f"{entry.budget:,.2f}", "item": entry.note})
    return batch
