import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yangguang.core.dbclock import db_now
from yangguang.core.models import Event
from yangguang.suppliers.models import Qualification, SupplierProfile
from yangguang.suppliers.selectors import supplier_eligible
from yangguang.suppliers.states import SupplierStatus

pytestmark = pytest.mark.django_db


def _status(profile):
    return SupplierProfile.objects.get(pk=profile.pk).status


def test_staff_approves_through_the_web(make_supplier, client_as):
    profile = make_supplier()
    staff = client_as("staff")
    queue = staff.get("/suppliers/pool/?status=submitted&class=works")
    assert profile.organisation.name in queue.content.decode()
    page = staff.get(f"/suppliers/pool/{profile.pk}/")
    assert 'name="approve"' in page.content.decode()
    response = staff.post(f"/suppliers/pool/{profile.pk}/approve/", {"reason": ""})
    assert response.status_code == 302
    assert _status(profile) == SupplierStatus.APPROVED
    event = Event.objects.get(action="suppliers.supplier.approved")
    assert event.payload == {"from": "submitted", "to": "approved"}
    assert supplier_eligible(profile.organisation) == (True, "")


def test_return_needs_reason_then_supplier_resubmits(make_supplier, client_as):
    from django.test import Client

    from .conftest import PASSWORD

    profile = make_supplier()
    staff = client_as("staff")
    staff.post(f"/suppliers/pool/{profile.pk}/return/", {"reason": ""})
    assert _status(profile) == SupplierStatus.SUBMITTED  # refused: no reason
    staff.post(f"/suppliers/pool/{profile.pk}/return/", {"reason": "营业执照扫描件不清晰"})
    assert _status(profile) == SupplierStatus.RETURNED
    eligible, reason = supplier_eligible(profile.organisation)
    assert not eligible and reason

    supplier = Client()
    supplier.login(username=profile.organisation.members.get().username, password=PASSWORD)
    page = supplier.get("/suppliers/mine/").content.decode()
    assert "营业执照扫描件不清晰" in page and "/suppliers/mine/resubmit/" in page
    response = supplier.post("/suppliers/mine/resubmit/", {
        "classes": ["works", "services"], "primary_class": "works", "legal_representative": "王建国",
        "registered_capital": "2000", "address": "丽水市莲都区", "business_scope": "施工与咨询"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == SupplierStatus.SUBMITTED
    assert profile.classes == ["works", "services"] and str(profile.registered_capital) == "2000.00"


def test_illegal_moves_are_409_on_the_api(make_supplier, client_as):
    profile = make_supplier()
    staff = client_as("staff")
    assert staff.post(f"/api/v1/suppliers/{profile.pk}/approve", {}, content_type="application/json"
                      ).status_code == 200
    again = staff.post(f"/api/v1/suppliers/{profile.pk}/approve", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    back = staff.post(f"/api/v1/suppliers/{profile.pk}/return", {"reason": "x"}, content_type="application/json")
    assert back.status_code == 409
    assert _status(profile) == SupplierStatus.APPROVED


def test_api_return_without_reason_is_422(make_supplier, client_as):
    profile = make_supplier()
    response = client_as("staff").post(f"/api/v1/suppliers/{profile.pk}/return", {},
                                       content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "reason"


def test_api_staff_list_and_supplier_me(make_supplier, client_as):
    profile = make_supplier()
    listed = client_as("staff").get("/api/v1/suppliers/?status=submitted")
    assert listed.status_code == 200 and [s["id"] for s in listed.json()] == [profile.pk]
    assert client_as("supplier").get("/api/v1/suppliers/me").status_code == 404  # demo supplier: no profile


def test_county_staff_cannot_review_a_city_registration(make_supplier, client_as):
    profile = make_supplier(region="331100")
    county = client_as("staff_qingtian")
    assert county.get(f"/suppliers/pool/{profile.pk}/").status_code == 403
    assert county.post(f"/api/v1/suppliers/{profile.pk}/approve", {}, content_type="application/json"
                       ).status_code == 404
    assert _status(profile) == SupplierStatus.SUBMITTED


def test_supervisor_reads_but_cannot_approve(make_supplier, client_as):
    profile = make_supplier()
    audit = client_as("audit")
    assert audit.get(f"/suppliers/pool/{profile.pk}/").status_code == 200
    assert 'name="approve"' not in audit.get(f"/suppliers/pool/{profile.pk}/").content.decode()
    assert audit.post(f"/suppliers/pool/{profile.pk}/approve/").status_code == 403
    assert audit.post(f"/api/v1/suppliers/{profile.pk}/approve", {}, content_type="application/json"
                      ).status_code == 403
    assert _status(profile) == SupplierStatus.SUBMITTED


def test_suspend_and_reinstate(make_supplier, client_as):
    profile = make_supplier()
    staff = client_as("staff")
    staff.post(f"/suppliers/pool/{profile.pk}/approve/")
    staff.post(f"/suppliers/pool/{profile.pk}/suspend/", {"reason": "资质核查中"})
    assert _status(profile) == SupplierStatus.SUSPENDED
    assert supplier_eligible(profile.organisation)[0] is False
    staff.post(f"/suppliers/pool/{profile.pk}/reinstate/")
    assert _status(profile) == SupplierStatus.APPROVED


def test_supplier_adds_a_qualification_with_file(make_supplier):
    from django.test import Client

    from .conftest import PASSWORD

    profile = make_supplier()
    client = Client()
    client.login(username=profile.organisation.members.get().username, password=PASSWORD)
    valid_until = (db_now().date() + dt.timedelta(days=365)).isoformat()
    upload = SimpleUploadedFile("cert.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")
    response = client.post("/suppliers/mine/qualifications/", {
        "name": "建筑工程施工总承包二级", "certificate_number": "D233000001", "issuer": "浙江省住建厅",
        "valid_until": valid_until, "file": upload})
    assert response.status_code == 302
    qualification = Qualification.objects.get(supplier=profile)
    assert len(qualification.document_sha256) == 64
    profile.refresh_from_db()
    assert profile.next_check_at is not None

    expired = SimpleUploadedFile("old.pdf", b"old", content_type="application/pdf")
    response = client.post("/suppliers/mine/qualifications/", {
        "name": "安全生产许可证", "certificate_number": "X1", "issuer": "省住建厅",
        "valid_until": "2020-01-01", "file": expired})
    assert response.status_code == 422
    assert "valid_until" in response.context["qualification_form"].errors
    assert Qualification.objects.filter(supplier=profile).count() == 1
