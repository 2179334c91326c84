"""The publisher pages: publish with attachments through the form, field errors, correct, withdraw."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yangguang.notices.models import Notice

from .factories import full_fields, notice_make

pytestmark = pytest.mark.django_db


def _form_data(notice_type: str, **overrides: str) -> dict:
    data = {f"field_{k}": v for k, v in full_fields(notice_type).items()}
    data.update({"title": "莲都区道路施工招标公告", "body_html": "<p>正文<img src=x onerror=alert(1)></p>"})
    data.update(overrides)
    return data


def test_staff_publish_with_attachments_and_field_error(demo, client_as):
    staff = client_as("staff")
    page = staff.get("/notices/publish/?type=tender_construction").content.decode()
    assert "招标人名称和地址" in page and "招标投标法 第16条" in page
    missing = staff.post("/notices/publish/?type=tender_construction",
                         _form_data("tender_construction", field_bid_deadline=""))
    assert missing.status_code == 200 and not Notice.objects.exists()
    files = [SimpleUploadedFile("招标文件.pdf", b"%PDF-1.4 a"), SimpleUploadedFile("图纸.zip", b"PK zip")]
    done = staff.post("/notices/publish/?type=tender_construction",
                      {**_form_data("tender_construction"), "attachments": files})
    notice = Notice.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/announcements/{notice.pk}/"
    assert notice.region.code == "331100" and notice.body_html == "<p>正文</p>"
    assert sorted(a.name for a in notice.attachments.all()) == ["图纸.zip", "招标文件.pdf"]


def test_publicity_too_short_is_shown_next_to_the_field(demo, client_as):
    response = client_as("staff").post("/notices/publish/?type=candidate_publicity",
                                       _form_data("candidate_publicity", publicity_days="1"))
    assert response.status_code == 200
    assert "公示期不少于3日" in response.content.decode()


def test_correct_and_withdraw_pages(demo, client_as):
    notice = notice_make()
    staff = client_as("staff")
    response = staff.post(f"/notices/{notice.pk}/correct/", {"title": "更正公告", "changes": "截止时间顺延",
                                                             "reason": "答疑", "body_html": ""})
    correction = Notice.objects.get(corrects=notice)
    assert response["Location"] == f"/announcements/{correction.pk}/"
    assert staff.post(f"/notices/{notice.pk}/withdraw/", {"reason": "内容有误"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "withdrawn"
    listing = staff.get("/notices/").content.decode()
    assert notice.code in listing and correction.code in listing
