from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from yangguang.catalogue import demo as catalogue_demo
from yangguang.catalogue import services
from yangguang.catalogue.models import CatalogueItem
from yangguang.catalogue.spreadsheet import rows_from_xlsx, version_export_xlsx, version_rows
from yangguang.core.errors import IllegalTransition
from yangguang.core.models import Event

pytestmark = pytest.mark.django_db


def _sheet(rows: list[list[object]]) -> BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["类别", "类型编码", "类型名称", "目录编码", "目录名称", "资金来源", "限额（元）", "规则", "备注"])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def test_export_has_the_columns_and_one_row_per_item(committee, active):
    sheet = load_workbook(BytesIO(version_export_xlsx(active))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[1][:6] == ("construction", "GC01", "房屋建筑工程", "GC01-001", "房屋建筑工程施工",
                           "budget,state_enterprise")
    assert Decimal(str(rows[1][6])) == Decimal("4000000") and rows[1][7] == "G-003"


def test_round_trip_of_the_demo_catalogue(committee, city):
    catalogue_demo.load()
    source = catalogue_demo.CatalogueVersion.objects.get(region=city, title=catalogue_demo.TITLE)
    target = services.version_create(actor=committee, region=city, title="导入稿")
    rows = rows_from_xlsx(BytesIO(version_export_xlsx(source)))
    services.version_content_replace(actor=committee, version=target, rows=rows)
    assert len(version_rows(target)) == 413
    assert version_rows(target) == version_rows(source)
    event = Event.objects.get(action="catalogue.version.imported", object_id=str(target.pk))
    assert event.payload["items"] == 413 and event.payload["types"] == 39


def test_bad_rows_refuse_the_whole_file_with_row_numbers(committee, draft):
    upload = _sheet([
        ["construction", "GC09", "公路工程", "GC09-001", "公路工程施工", "budget", 4000000, "G-003", ""],
        ["weather", "GC09", "公路工程", "GC09-002", "公路工程监理", "budget", 1000000, "G-003", ""],
        ["construction", "GC09", "公路工程", "GC09-003", "公路工程设计", "gold", "一百万", "G-003", ""],
        [],
        ["construction", "GC09", "公路工程", "GC09-001", "重复编码", "", "", "", ""],
    ])
    before = list(CatalogueItem.objects.filter(type__version=draft).values_list("code", flat=True))
    events = Event.objects.count()
    with pytest.raises(services.ImportRefused) as caught:
        services.version_content_replace(actor=committee, version=draft, rows=rows_from_xlsx(upload))
    errors = caught.value.row_errors
    assert any(e.startswith("Row 4") or e.startswith("第 4 行") for e in errors), errors
    rows = rows_from_xlsx(_sheet([
        ["construction", "GC09", "公路工程", "GC09-001", "公路工程施工", "budget", 4000000, "G-003", ""],
        ["weather", "GC09", "公路工程", "GC09-002", "公路工程监理", "budget", 1000000, "G-003", ""],
        ["construction", "GC09", "公路工程", "GC09-003", "公路工程设计", "gold", 100, "G3", ""],
        [],
        ["construction", "GC09", "公路工程", "GC09-001", "重复编码", "", "", "", ""],
    ]))
    with pytest.raises(services.ImportRefused) as caught:
        services.version_content_replace(actor=committee, version=draft, rows=rows)
    text = "\n".join(caught.value.row_errors)
    for row in ("3", "4", "6"):
        assert f"Row {row}:" in text or f"第 {row} 行" in text, text
    assert not any(e.startswith(("Row 2:", "第 2 行")) for e in caught.value.row_errors)
    assert list(CatalogueItem.objects.filter(type__version=draft).values_list("code", flat=True)) == before
    assert Event.objects.count() == events


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(services.ImportRefused):
        rows_from_xlsx(BytesIO(b"not a spreadsheet"))


def test_import_into_a_version_in_force_is_refused(committee, active):
    rows = version_rows(active)
    with pytest.raises(IllegalTransition):
        services.version_content_replace(actor=committee, version=active, rows=rows)
    assert CatalogueItem.objects.filter(type__version=active).count() == 2
