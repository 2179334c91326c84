"""Every write to the trading catalogue. Only draft versions change; a version in force is frozen, because
projects registered under it are judged against exactly what it said (copy it to a new draft instead)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from yangguang.accounts.models import Region
from yangguang.core.dbclock import db_now
from yangguang.core.errors import IllegalTransition, ValidationFailed
from yangguang.core.eventlog import event_append

from .models import CatalogueItem, CatalogueType, CatalogueVersion
from .states import VERSION_MOVES, Category, FundingSource, VersionStatus

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
RULE_CODE_PATTERN = re.compile(r"^[A-Z]{1,3}-\d{3}$")


@dataclass(frozen=True)
class CatalogueRow:
    """One line of the catalogue as it appears in the spreadsheet: an item with its type and category."""

    category: str
    type_code: str
    type_name: str
    item_code: str
    item_name: str
    funding_sources: tuple[str, ...]
    threshold: Decimal | None
    rule_code: str
    note: str
    line: int = field(default=0, compare=False)  # row number in the sheet, for error messages


class ImportRefused(ValidationFailed):
    """A spreadsheet with at least one bad row; ``row_errors`` names every bad row."""

    code = "import_refused"

    def __init__(self, row_errors: list[str]) -> None:
        super().__init__(_("The file was refused; nothing was imported. %(count)d problem(s) found.")
                         % {"count": len(row_errors)})
        self.row_errors = row_errors

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["errors"] = self.row_errors
        return data


# --- field checks shared by forms, services and the import -------------------------------------------


def type_fields_check(*, category: str, code: str, name: str) -> list[tuple[str, str]]:
    """(field, message) for each problem of a type's fields."""
    problems: list[tuple[str, str]] = []
    if category not in Category.values:
        problems.append(("category", _("Unknown category “%(value)s”.") % {"value": category}))
    if not code or not CODE_PATTERN.match(code) or len(code) > 20:
        problems.append(("code", _("The code must be 1–20 letters, digits, dots or hyphens.")))
    if not name.strip() or len(name) > 120:
        problems.append(("name", _("The name is required (at most 120 characters).")))
    return problems


def item_fields_check(*, code: str, name: str, funding_sources: list[str] | tuple[str, ...],
                      threshold: Decimal | None, rule_code: str, note: str) -> list[tuple[str, str]]:
    """(field, message) for each problem of an item's fields."""
    problems: list[tuple[str, str]] = []
    if not code or not CODE_PATTERN.match(code) or len(code) > 30:
        problems.append(("code", _("The code must be 1–30 letters, digits, dots or hyphens.")))
    if not name.strip() or len(name) > 200:
        problems.append(("name", _("The name is required (at most 200 characters).")))
    unknown = [source for source in funding_sources if source not in FundingSource.values]
    if unknown:
        problems.append(("funding_sources", _("Unknown funding source(s): %(codes)s.") % {"codes": ", ".join(unknown)}))
    if threshold is not None and (threshold < 0 or threshold >= Decimal("1e14")):
        problems.append(("threshold", _("The threshold must be an amount in yuan of at least 0.")))
    if rule_code and not RULE_CODE_PATTERN.match(rule_code):
        problems.append(("rule_code", _("The rule code must look like G-003 (see the rule set).")))
    if len(note) > 300:
        problems.append(("note", _("The note may have at most 300 characters.")))
    return problems


def _raise_first(problems: list[tuple[str, str]]) -> None:
    if problems:
        field, message = problems[0]
        raise ValidationFailed(message, code="invalid_" + field, field=field)


def _locked_draft(version_id: int) -> CatalogueVersion:
    version = CatalogueVersion.objects.select_for_update().get(pk=version_id)
    if version.status != VersionStatus.DRAFT:
        raise IllegalTransition(
            _("Version %(version)s is not a draft and cannot be changed; copy it to a new draft instead.")
            % {"version": version.number}, code="version_not_draft")
    return version


def _next_number(region: Region) -> int:
    # Locking the region row serialises concurrent creations, so two drafts never get the same number.
    Region.objects.select_for_update().filter(pk=region.pk).first()
    highest = CatalogueVersion.objects.filter(region=region).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


# --- versions ------------------------------------------------------------------------------------------


def version_create(*, actor: Any, region: Region, title: str, legal_basis: str = "") -> CatalogueVersion:
    if not title.strip():
        raise ValidationFailed(_("The title is required."), code="invalid_title", field="title")
    with transaction.atomic():
        version = CatalogueVersion.objects.create(
            region=region, number=_next_number(region), title=title.strip(), legal_basis=legal_basis.strip(),
            created_by=actor if getattr(actor, "pk", None) else None)
        event_append(action="catalogue.version.created", actor=actor, obj=version,
                     payload={"region": region.code, "number": version.number})
    return version


def version_copy(*, actor: Any, source: CatalogueVersion, title: str = "") -> CatalogueVersion:
    """A new draft of the source's region with every type and item of the source."""
    with transaction.atomic():
        source = CatalogueVersion.objects.select_for_update().get(pk=source.pk)
        version = CatalogueVersion.objects.create(
            region=source.region, number=_next_number(source.region), title=(title or source.title).strip(),
            legal_basis=source.legal_basis, created_by=actor if getattr(actor, "pk", None) else None)
        for old_type in source.types.prefetch_related("items"):
            new_type = CatalogueType.objects.create(
                version=version, category=old_type.category, code=old_type.code, name=old_type.name,
                name_en=old_type.name_en, position=old_type.position)
            CatalogueItem.objects.bulk_create([
                CatalogueItem(type=new_type, code=i.code, name=i.name, name_en=i.name_en,
                              funding_sources=list(i.funding_sources), threshold=i.threshold,
                              rule_code=i.rule_code, note=i.note, position=i.position)
                for i in old_type.items.all()
            ])
        event_append(action="catalogue.version.copied", actor=actor, obj=version,
                     payload={"region": source.region.code, "number": version.number, "source_id": source.pk})
    return version


def version_activate(*, actor: Any, version: CatalogueVersion,
                     effective_from: dt.date | None = None) -> CatalogueVersion:
    """Put a draft in force and retire the region's previous version in the same transaction."""
    VERSION_MOVES.target("activate", version.status)
    with transaction.atomic():
        # Lock the region's versions in id order so two activations of one region queue up.
        locked = list(CatalogueVersion.objects.select_for_update().filter(region_id=version.region_id).order_by("pk"))
        version = next(v for v in locked if v.pk == version.pk)
        new_status = VERSION_MOVES.target("activate", version.status)
        if not CatalogueItem.objects.filter(type__version=version).exists():
            raise ValidationFailed(_("A version without items cannot be put in force."), code="version_empty")
        retired = [v for v in locked if v.status == VersionStatus.ACTIVE]
        for old in retired:
            old.status = VERSION_MOVES.target("retire", old.status)
            old.save(update_fields=["status"])
            event_append(action="catalogue.version.retired", actor=actor, obj=old,
                         payload={"region": old.region.code, "number": old.number, "successor_id": version.pk})
        now = db_now()
        version.status = new_status
        version.activated_at = now
        version.effective_from = effective_from or now.date()
        version.save(update_fields=["status", "activated_at", "effective_from"])
        event_append(action="catalogue.version.activated", actor=actor, obj=version,
                     payload={"region": version.region.code, "number": version.number,
                              "retired_ids": [v.pk for v in retired]})
    return version


# --- types ----------------------------------------------------------------------------------------------


def type_create(*, actor: Any, version: CatalogueVersion, category: str, code: str, name: str,
                name_en: str = "") -> CatalogueType:
    _raise_first(type_fields_check(category=category, code=code, name=name))
    with transaction.atomic():
        version = _locked_draft(version.pk)
        if version.types.filter(code=code).exists():
            raise ValidationFailed(_("The type code %(code)s is already used in this version.") % {"code": code},
                                   code="duplicate_code", field="code")
        position = (version.types.aggregate(p=Max("position"))["p"] or 0) + 1
        catalogue_type = CatalogueType.objects.create(version=version, category=category, code=code,
                                                      name=name.strip(), name_en=name_en.strip(), position=position)
        event_append(action="catalogue.type.created", actor=actor, obj=catalogue_type,
                     payload={"version_id": version.pk, "code": code})
    return catalogue_type


def type_update(*, actor: Any, catalogue_type: CatalogueType, category: str, code: str, name: str,
                name_en: str = "") -> CatalogueType:
    _raise_first(type_fields_check(category=category, code=code, name=name))
    with transaction.atomic():
        _locked_draft(catalogue_type.version_id)
        catalogue_type = CatalogueType.objects.select_for_update().get(pk=catalogue_type.pk)
        if CatalogueType.objects.filter(version_id=catalogue_type.version_id, code=code).exclude(
                pk=catalogue_type.pk).exists():
            raise ValidationFailed(_("The type code %(code)s is already used in this version.") % {"code": code},
                                   code="duplicate_code", field="code")
        old_code = catalogue_type.code
        catalogue_type.category, catalogue_type.code = category, code
        catalogue_type.name, catalogue_type.name_en = name.strip(), name_en.strip()
        catalogue_type.save()
        event_append(action="catalogue.type.updated", actor=actor, obj=catalogue_type,
                     payload={"version_id": catalogue_type.version_id, "code": code, "old_code": old_code})
    return catalogue_type


# --- items ----------------------------------------------------------------------------------------------


def _item_code_taken(version_id: int, code: str, exclude_pk: int | None = None) -> bool:
    # Item codes are unique in the whole version: projects and the API name an item by its code.
    found = CatalogueItem.objects.filter(type__version_id=version_id, code=code)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.exists()


def item_create(*, actor: Any, catalogue_type: CatalogueType, code: str, name: str, name_en: str = "",
                funding_sources: list[str] | None = None, threshold: Decimal | None = None, rule_code: str = "",
                note: str = "") -> CatalogueItem:
    sources = list(funding_sources or [])
    _raise_first(item_fields_check(code=code, name=name, funding_sources=sources, threshold=threshold,
                                   rule_code=rule_code, note=note))
    with transaction.atomic():
        _locked_draft(catalogue_type.version_id)
        if _item_code_taken(catalogue_type.version_id, code):
            raise ValidationFailed(_("The item code %(code)s is already used in this version.") % {"code": code},
                                   code="duplicate_code", field="code")
        position = (catalogue_type.items.aggregate(p=Max("position"))["p"] or 0) + 1
        item = CatalogueItem.objects.create(
            type=catalogue_type, code=code, name=name.strip(), name_en=name_en.strip(), funding_sources=sources,
            threshold=threshold, rule_code=rule_code, note=note.strip(), position=position)
        event_append(action="catalogue.item.created", actor=actor, obj=item,
                     payload={"version_id": catalogue_type.version_id, "code": code})
    return item


def item_update(*, actor: Any, item: CatalogueItem, code: str, name: str, name_en: str = "",
                funding_sources: list[str] | None = None, threshold: Decimal | None = None, rule_code: str = "",
                note: str = "") -> CatalogueItem:
    sources = list(funding_sources or [])
    _raise_first(item_fields_check(code=code, name=name, funding_sources=sources, threshold=threshold,
                                   rule_code=rule_code, note=note))
    with transaction.atomic():
        version_id = item.type.version_id
        _locked_draft(version_id)
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        if _item_code_taken(version_id, code, exclude_pk=item.pk):
            raise ValidationFailed(_("The item code %(code)s is already used in this version.") % {"code": code},
                                   code="duplicate_code", field="code")
        old_code = item.code
        item.code, item.name, item.name_en = code, name.strip(), name_en.strip()
        item.funding_sources, item.threshold, item.rule_code, item.note = sources, threshold, rule_code, note.strip()
        item.save()
        event_append(action="catalogue.item.updated", actor=actor, obj=item,
                     payload={"version_id": version_id, "code": code, "old_code": old_code})
    return item


def item_delete(*, actor: Any, item: CatalogueItem) -> None:
    with transaction.atomic():
        version_id = item.type.version_id
        _locked_draft(version_id)
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        event_append(action="catalogue.item.deleted", actor=actor, obj=item,
                     payload={"version_id": version_id, "code": item.code})
        item.delete()


# --- whole-version content (spreadsheet import, demo) ---------------------------------------------------


def rows_check(rows: list[tuple[int, CatalogueRow]]) -> list[str]:
    """Messages naming the row of every problem; empty when all rows are good. Rows are (row number, row)."""
    errors: list[str] = []
    type_names: dict[str, tuple[str, str]] = {}
    item_rows: dict[str, int] = {}
    for number, row in rows:
        problems = type_fields_check(category=row.category, code=row.type_code, name=row.type_name)
        problems += item_fields_check(code=row.item_code, name=row.item_name, funding_sources=row.funding_sources,
                                      threshold=row.threshold, rule_code=row.rule_code, note=row.note)
        known = type_names.setdefault(row.type_code, (row.category, row.type_name))
        if known != (row.category, row.type_name):
            problems.append(("type_code", _("Type %(code)s appears with a different category or name.")
                             % {"code": row.type_code}))
        if row.item_code in item_rows:
            problems.append(("item_code", _("Item code %(code)s is already used in row %(row)d.")
                             % {"code": row.item_code, "row": item_rows[row.item_code]}))
        else:
            item_rows[row.item_code] = number
        errors += [_("Row %(row)d: %(message)s") % {"row": number, "message": message} for _field, message in problems]
    return errors


def version_content_replace(*, actor: Any, version: CatalogueVersion, rows: list[CatalogueRow]) -> CatalogueVersion:
    """Replace every type and item of a draft with ``rows`` (the spreadsheet is the whole catalogue).
    Any bad row refuses all of them: nothing is half-imported."""
    # Row 1 of the sheet is the header, so data rows without a recorded line start at 2.
    numbered = [(row.line or index, row) for index, row in enumerate(rows, start=2)]
    if not rows:
        raise ImportRefused([_("The file has no catalogue rows.")])
    errors = rows_check(numbered)
    if errors:
        raise ImportRefused(errors)
    with transaction.atomic():
        version = _locked_draft(version.pk)
        version.types.all().delete()
        types: dict[str, CatalogueType] = {}
        items: list[CatalogueItem] = []
        for row in rows:
            if row.type_code not in types:
                types[row.type_code] = CatalogueType.objects.create(
                    version=version, category=row.category, code=row.type_code, name=row.type_name.strip(),
                    position=len(types) + 1)
            items.append(CatalogueItem(
                type=types[row.type_code], code=row.item_code, name=row.item_name.strip(),
                funding_sources=list(row.funding_sources), threshold=row.threshold, rule_code=row.rule_code,
                note=row.note.strip(), position=len(items) + 1))
        CatalogueItem.objects.bulk_create(items, batch_size=500)
        event_append(action="catalogue.version.imported", actor=actor, obj=version,
                     payload={"region": version.region.code, "number": version.number, "types": len(types),
                              "items": len(items)})
    return version
