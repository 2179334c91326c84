"""The catalogue as an Excel workbook (.xlsx): one sheet, one row per item, in the column order of
``COLUMNS``. Export and import use the same columns so an exported file imports back unchanged."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import IO, Any
from zipfile import BadZipFile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .models import CatalogueItem, CatalogueVersion
from .services import CatalogueRow, ImportRefused
from .states import Category

COLUMNS = [
    gettext_lazy("Category"), gettext_lazy("Type code"), gettext_lazy("Type name"), gettext_lazy("Item code"),
    gettext_lazy("Item name"), gettext_lazy("Funding sources"), gettext_lazy("Threshold (yuan)"),
    gettext_lazy("Rule code"), gettext_lazy("Note"),
]
MAX_ROWS = 20000


def version_rows(version: CatalogueVersion) -> list[CatalogueRow]:
    items = (CatalogueItem.objects.filter(type__version=version).select_related("type")
             .order_by("type__position", "type__code", "position", "code"))
    return [CatalogueRow(category=i.type.category, type_code=i.type.code, type_name=i.type.name, item_code=i.code,
                         item_name=i.name, funding_sources=tuple(i.funding_sources or ()), threshold=i.threshold,
                         rule_code=i.rule_code, note=i.note) for i in items]


def version_export_xlsx(version: CatalogueVersion) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{version.region.code}-v{version.number}"
    sheet.append([str(c) for c in COLUMNS])
    for row in version_rows(version):
        sheet.append([row.category, row.type_code, row.type_name, row.item_code, row.item_name,
                      ",".join(row.funding_sources), row.threshold, row.rule_code, row.note])
    for letter, width in zip("ABCDEFGHI", (22, 12, 24, 16, 36, 40, 16, 10, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _category(value: str) -> str:
    """Accept the stored value or the label in either language (people retype categories by hand)."""
    for choice in Category:
        if value in (choice.value, str(choice.label)):
            return choice.value
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _threshold(value: Any, row: int, errors: list[str]) -> Decimal | None:
    if value is None or _text(value) == "":
        return None
    try:
        amount = Decimal(_text(value).replace(",", ""))
    except InvalidOperation:
        errors.append(_("Row %(row)d: the threshold “%(value)s” is not an amount in yuan.")
                      % {"row": row, "value": value})
        return None
    if not amount.is_finite():
        errors.append(_("Row %(row)d: the threshold “%(value)s” is not an amount in yuan.")
                      % {"row": row, "value": value})
        return None
    return amount.quantize(Decimal("0.01"))


def rows_from_xlsx(upload: IO[bytes]) -> list[CatalogueRow]:
    """Read every row; raise ImportRefused listing each row that cannot even be read. Business checks of
    the rows (codes, sources, rule codes) are made by the import service."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRefused([_("The file is not an Excel workbook (.xlsx).")]) from exc
    sheet = workbook.worksheets[0]
    rows: list[CatalogueRow] = []
    errors: list[str] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number == 1:
            continue  # header
        cells = list(values) + [None] * (len(COLUMNS) - len(values))
        if all(_text(c) == "" for c in cells):
            continue
        if number > MAX_ROWS:
            errors.append(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
            break
        category, type_code, type_name, item_code, item_name, sources, threshold, rule_code, note = cells[:9]
        rows.append(CatalogueRow(
            category=_category(_text(category)), type_code=_text(type_code), type_name=_text(type_name),
            item_code=_text(item_code), item_name=_text(item_name),
            funding_sources=tuple(s.strip() for s in _text(sources).replace("，", ",").split(",") if s.strip()),
            threshold=_threshold(threshold, number, errors), rule_code=_text(rule_code), note=_text(note), line=number))
    workbook.close()
    if errors:
        raise ImportRefused(errors)
    return rows
