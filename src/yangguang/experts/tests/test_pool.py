"""The pool: online applications and review, sanctions that end by themselves, Excel import and export."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from yangguang.accounts.models import Region, User
from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.core.errors import ValidationFailed
from yangguang.core.models import Event
from yangguang.experts.id_number import id_number_mask, id_number_validate
from yangguang.experts.models import Expert
from yangguang.experts.services import ExpertData, expert_apply, expert_sanction
from yangguang.experts.spreadsheet import COLUMNS
from yangguang.experts.states import ExpertStatus

from .factories import code, experts_make, id_for, specialties_make


def test_id_number_checks() -> None:
    assert id_number_validate("11010519491231002x") == "11010519491231002X"  # GB 11643 example
    with pytest.raises(ValidationFailed) as caught:
        id_number_validate("110105194912310021")
    assert caught.value.code == "id_number_checksum"
    with pytest.raises(ValidationFailed) as caught:
        id_number_validate("110105194913310021")
    assert caught.value.code == "id_number_birth"
    assert id_number_mask("11010519491231002X") == "1101************2X"


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "周申请", "id_number": id_for(777001), "title_level": "senior", "title_name": "高级工程师",
        "years_in_field": "12", "employer_name": "丽水市建筑设计研究院有限公司", "employer_credit_code": code(501),
        "region": "331122", "phone": "13900000001", "email": "zhou@example.org", "specialties": [],
        "username": "zhou_expert", "password": "Expert-apply-2026",
    }
    data.update(overrides)
    return data


def test_anonymous_application_creates_an_expert_account_and_staff_review_it(demo, client, client_as) -> None:
    specialties = specialties_make()
    response = client.post("/experts/apply/", _form(specialties=[specialties["A01"].pk],
                                                    employer_credit_code="91331100MA0000000X"))
    assert response.status_code == 422
    assert "校验码" in response.content.decode()
    response = client.post("/experts/apply/", _form(specialties=[specialties["A01"].pk, specialties["B01"].pk]))
    assert response.status_code == 302
    expert = Expert.objects.get(name="周申请")
    assert expert.status == ExpertStatus.SUBMITTED and User.objects.get(expert_profile=expert).role == "expert"
    assert sorted(expert.specialties.values_list("code", flat=True)) == ["A01", "B01"]
    event = Event.objects.get(action="experts.expert.applied", object_id=str(expert.pk))
    assert "周申请" not in str(event.payload) and expert.id_number not in str(event.payload)
    staff = client_as("staff")
    assert "周申请" in staff.get("/experts/pool/").content.decode()  # the review queue
    staff.post(f"/experts/pool/{expert.pk}/reject/", {"reason": ""})
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.SUBMITTED  # a rejection needs a reason
    staff.post(f"/experts/pool/{expert.pk}/approve/")
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.ACTIVE
    assert expert.term_start is not None and expert.term_end is not None and expert.term_end > expert.term_start


def test_a_signed_in_expert_applies_for_their_own_account(demo, user_of) -> None:
    specialties_make()
    data = ExpertData(name="孙评审", id_number=id_for(777002), title_level="senior", title_name="一级律师",
                      employer_name="浙江丽阳律师事务所", employer_credit_code=code(502),
                      region=Region.objects.get(code="331100"), phone="13900000002", specialty_codes=["B01"])
    expert = expert_apply(actor=user_of("expert"), data=data)
    assert expert.user == user_of("expert")
    with pytest.raises(ValidationFailed):
        expert_apply(actor=user_of("expert"), data=data)


def test_a_sanction_ends_on_its_last_day_by_the_chronograph(demo, user_of) -> None:
    specialties_make()
    expert = experts_make(1)[0]
    today = db_now().date()
    expert_sanction(actor=user_of("staff"), expert=expert, kind=ExpertStatus.SUSPENDED, reason="无故缺席评审",
                    until=today + dt.timedelta(days=10))
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.SUSPENDED
    chronograph_run(now=db_now() + dt.timedelta(days=5))
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.SUSPENDED
    chronograph_run(now=db_now() + dt.timedelta(days=12))
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.ACTIVE


def _workbook(rows: list[list[object]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append([str(c) for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("experts.xlsx", out.getvalue())


def _row(serial: int, **overrides: object) -> list[object]:
    values = {"name": f"导入{serial}", "id": id_for(serial), "level": "senior", "title": "高级会计师", "years": 15,
              "employer": "丽水市正信会计师事务所", "code": code(serial), "region": "331100", "phone": "13700000000",
              "email": "", "specialties": "B01", "start": "2026-01-01", "end": "2028-12-31", "status": ""}
    values.update(overrides)
    return list(values.values())


def test_excel_import_reports_every_bad_row_and_imports_nothing(demo, client_as) -> None:
    specialties_make()
    staff = client_as("staff")
    upload = _workbook([_row(1001), _row(1002, id="123"), _row(1003, specialties="Z99"), _row(1004, region="999999"),
                        _row(1001, name="重复")])
    response = staff.post("/experts/pool/import/", {"file": upload})
    assert response.status_code == 422
    page = response.content.decode()
    for number in (3, 4, 5, 6):
        assert f"第 {number} 行" in page, number
    assert not Expert.objects.filter(name__startswith="导入").exists()
    response = staff.post("/experts/pool/import/", {"file": _workbook([_row(1001), _row(1002, specialties="A01,B01")])})
    assert response.status_code == 302
    assert Expert.objects.filter(name__startswith="导入", status=ExpertStatus.ACTIVE).count() == 2
    response = staff.post("/experts/pool/import/", {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert response.status_code == 422


def test_excel_export_lists_the_pool_and_reimports_into_an_empty_pool(demo, client_as) -> None:
    specialties_make()
    experts_make(3, specialty="B01")
    staff = client_as("staff")
    exported = staff.get("/experts/pool/export.xlsx").content
    rows = list(load_workbook(BytesIO(exported)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][10] == "B01"
    Expert.objects.all().delete()
    response = staff.post("/experts/pool/import/", {"file": SimpleUploadedFile("e.xlsx", exported)})
    assert response.status_code == 302 and Expert.objects.count() == 3
    assert client_as("supplier").get("/experts/pool/export.xlsx").status_code == 403
    assert User.objects.filter(role="expert").exists()
