from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from yangguang.catalogue.models import CatalogueItem, CatalogueVersion
from yangguang.catalogue.spreadsheet import version_export_xlsx
from yangguang.catalogue.states import VersionStatus

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_committee_office_builds_and_activates_a_version(client_as, city):
    client = client_as("committee_office")
    response = client.post(reverse("catalogue:version_list"),
                           {"title": "丽水市目录（修订）", "legal_basis": "丽公管〔2025〕9号"})
    version = CatalogueVersion.objects.get(title="丽水市目录（修订）")
    assert response.status_code == 302 and version.region == city and version.status == VersionStatus.DRAFT
    response = client.post(reverse("catalogue:type_create", args=[version.pk]),
                           {"category": "construction", "code": "GC01", "name": "房屋建筑工程"})
    assert response.status_code == 302
    works = version.types.get()
    response = client.post(reverse("catalogue:item_create", args=[works.pk]), {
        "code": "GC01-001", "name": "房屋建筑工程施工", "funding_sources": ["budget", "state_enterprise"],
        "threshold": "4000000", "rule_code": "G-003", "note": ""})
    assert response.status_code == 302
    item = CatalogueItem.objects.get(code="GC01-001")
    assert item.threshold == Decimal("4000000") and item.funding_sources == ["budget", "state_enterprise"]
    page = client.get(reverse("catalogue:version_detail", args=[version.pk]))
    assert "房屋建筑工程施工" in page.content.decode() and "G-003" in page.content.decode()
    response = client.post(reverse("catalogue:version_activate", args=[version.pk]), {"effective_from": "2025-03-01"})
    version.refresh_from_db()
    assert version.status == VersionStatus.ACTIVE and str(version.effective_from) == "2025-03-01"
    # A version in force no longer offers editing, and editing by URL is refused.
    assert reverse("catalogue:item_edit", args=[item.pk]) not in client.get(
        reverse("catalogue:version_detail", args=[version.pk])).content.decode()
    assert client.get(reverse("catalogue:item_edit", args=[item.pk])).status_code == 403


def test_bad_item_input_is_shown_on_the_form(client_as, draft):
    works = draft.types.get()
    response = client_as("committee_office").post(reverse("catalogue:item_create", args=[works.pk]), {
        "code": "GC01-001", "name": "重复", "threshold": "", "rule_code": ""})
    assert response.status_code == 200
    assert "GC01-001" in response.content.decode()
    assert CatalogueItem.objects.filter(type__version=draft).count() == 2


def test_edit_copy_and_delete(client_as, active):
    client = client_as("committee_office")
    response = client.post(reverse("catalogue:version_copy", args=[active.pk]), {"title": "修订稿"})
    copy = CatalogueVersion.objects.get(title="修订稿")
    assert response.status_code == 302 and copy.status == VersionStatus.DRAFT
    item = CatalogueItem.objects.get(type__version=copy, code="GC01-002")
    assert client.get(reverse("catalogue:item_edit", args=[item.pk])).status_code == 200
    client.post(reverse("catalogue:item_edit", args=[item.pk]), {
        "code": "GC01-002", "name": "房屋建筑工程监理", "funding_sources": ["budget"], "threshold": "1200000",
        "rule_code": "G-003", "note": "调整"})
    item.refresh_from_db()
    assert item.threshold == Decimal("1200000") and item.note == "调整"
    client.post(reverse("catalogue:type_edit", args=[item.type_id]),
                {"category": "construction", "code": "GC01", "name": "房屋建筑和市政工程"})
    assert copy.types.get().name == "房屋建筑和市政工程"
    client.post(reverse("catalogue:item_delete", args=[item.pk]))
    assert not CatalogueItem.objects.filter(pk=item.pk).exists()


def test_excel_download_and_upload(client_as, active, draft):
    client = client_as("committee_office")
    response = client.get(reverse("catalogue:version_export", args=[active.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    upload = SimpleUploadedFile("c.xlsx", version_export_xlsx(active), content_type=XLSX)
    response = client.post(reverse("catalogue:version_import", args=[draft.pk]), {"file": upload})
    assert response.status_code == 302
    bad = SimpleUploadedFile("c.xlsx", b"plain text", content_type=XLSX)
    response = client.post(reverse("catalogue:version_import", args=[draft.pk]), {"file": bad})
    assert response.status_code == 200 and CatalogueItem.objects.filter(type__version=draft).count() == 2
    assert client.get(reverse("catalogue:version_import", args=[active.pk])).status_code == 403


def test_staff_read_but_cannot_edit(client_as, draft):
    client = client_as("centre_staff")
    assert client.get(reverse("catalogue:version_detail", args=[draft.pk])).status_code == 200
    assert client.get(reverse("catalogue:version_list")).status_code == 200
    assert client.post(reverse("catalogue:version_list"), {"title": "x"}).status_code == 403
    assert client.get(reverse("catalogue:type_create", args=[draft.pk])).status_code == 403
    assert client.post(reverse("catalogue:version_activate", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_supplier_is_refused_and_anonymous_is_sent_to_login(client_as, draft):
    supplier = client_as("supplier")
    assert supplier.get(reverse("catalogue:version_list")).status_code == 403
    assert supplier.post(reverse("catalogue:version_activate", args=[draft.pk])).status_code == 403
    response = Client().get(reverse("catalogue:version_detail", args=[draft.pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_pages_read_in_chinese_by_default(client_as, active):
    page = client_as("committee_office").get(reverse("catalogue:version_detail", args=[active.pk]))
    assert "下载" in page.content.decode()
