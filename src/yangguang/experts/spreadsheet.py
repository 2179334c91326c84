"""The pool as an Excel workbook (.xlsx): one row per expert in the column order of ``COLUMNS``. Export and
import share the columns, so an exported file (minus the experts already in the pool) imports back. Import
is all or nothing; every row that cannot be read or fails a check is reported with its row number."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import IO, Any
from zipfile import BadZipFile

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from yangguang.accounts.models import Region

from .models import Expert, ExpertSpecialty
from .services import ExpertData, ImportRefused
from .states import TitleLevel

COLUMNS = [
    gettext_lazy("Name"), gettext_lazy("ID card number"), gettext_lazy("Title level"),
    gettext_lazy("Professional title"), gettext_lazy("Years in the field"), gettext_lazy("Employer"),
    gettext_lazy("Employer's credit code"), gettext_lazy("Region code"), gettext_lazy("Mobile phone"),
    gettext_lazy("E-mail"), gettext_lazy("Specialty codes"), gettext_lazy("Term from"), gettext_lazy("Term until"),
    gettext_lazy("Status"),
]
MAX_ROWS = 20000


def pool_export_xlsx(experts: QuerySet[Expert]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("experts")
    sheet.append([str(c) for c in COLUMNS])
    codes: dict[int, list[str]] = {}
    for expert_id, code in ExpertSpecialty.objects.filter(expert__in=experts).values_list(
            "expert_id", "specialty__code").order_by("specialty__code"):
        codes.setdefault(expert_id, []).append(code)
    for e in experts.select_related("region").order_by("pk"):
        sheet.append([e.name, e.id_number, e.title_level, e.title_name, e.years_in_field, e.employer_name,
                      e.employer_credit_code, e.region.code, e.phone, e.email, ",".join(codes.get(e.pk, [])),
                      e.term_start, e.term_end, e.status])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def _title_level(value: str) -> str:
    for choice in TitleLevel:
        if value in (choice.value, str(choice.label)) or (value and value in str(choice.label)):
            return choice.value
    return value


def _date(value: Any, row: int, column: str, errors: list[str]) -> dt.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(value))
    except ValueError:
        errors.append(_("Row %(row)d: “%(value)s” in column %(column)s is not a date like 2026-03-01.")
                      % {"row": row, "value": value, "column": column})
        return None


def rows_from_xlsx(upload: IO[bytes]) -> tuple[list[tuple[int, ExpertData]], list[str]]:
    """The rows that could be read, and a message for each row that could not (the import service checks
    the readable ones and reports everything together)."""
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportRefused([_("The file is not an Excel workbook (.xlsx).")]) from exc
    sheet = workbook.worksheets[0]
    regions = dict(Region.objects.values_list("code", "pk"))
    region_objects = {r.pk: r for r in Region.objects.all()}
    rows: list[tuple[int, ExpertData]] = []
    errors: list[str] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number == 1:
            continue
        cells = list(values)[:len(COLUMNS)] + [None] * max(0, len(COLUMNS) - len(values))
        if all(_text(c) == "" for c in cells):
            continue
        if number > MAX_ROWS:
            errors.append(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
            break
        (name, id_number, level, title, years, employer, credit, region_code, phone, email, specialties, start,
         end, _status) = cells
        region_id = regions.get(_text(region_code))
        if region_id is None:
            errors.append(_("Row %(row)d: unknown region code “%(value)s”.") % {"row": number, "value": region_code})
            continue
        try:
            years_value = int(_text(years) or "8")
        except ValueError:
            errors.append(_("Row %(row)d: the years in the field must be a whole number.") % {"row": number})
            years_value = 0
        rows.append((number, ExpertData(
            name=_text(name), id_number=_text(id_number), title_level=_title_level(_text(level)),
            title_name=_text(title), years_in_field=years_value, employer_name=_text(employer),
            employer_credit_code=_text(credit), region=region_objects.get(region_id) if region_id else None,
            phone=_text(phone), email=_text(email),
            specialty_codes=[s.strip() for s in _text(specialties).replace("，", ",").split(",") if s.strip()],
            term_start=_date(start, number, "L", errors), term_end=_date(end, number, "M", errors))))
    workbook.close()
    return rows, errors
