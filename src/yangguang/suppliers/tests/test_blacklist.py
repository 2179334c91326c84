import datetime as dt

import pytest
from django.core.files.base import ContentFile

from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.core.models import Event
from yangguang.suppliers.models import BlacklistEntry, Qualification, SupplierProfile
from yangguang.suppliers.selectors import supplier_eligible
from yangguang.suppliers.services import qualification_add, supplier_approve
from yangguang.suppliers.states import CreditStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(make_supplier, user_of):
    return supplier_approve(actor=user_of("staff"), profile=make_supplier())


def test_blacklisting_makes_supplier_ineligible_until_the_chronograph_ends_it(approved, client_as):
    staff = client_as("staff")
    ends_on = db_now().date() + dt.timedelta(days=30)
    response = staff.post(f"/suppliers/pool/{approved.pk}/blacklist/",
                          {"ends_on": ends_on.isoformat(), "reason": "串通投标，行政处罚决定书丽建罚〔2026〕1号"})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.credit_status == CreditStatus.BLACKLISTED
    eligible, reason = supplier_eligible(approved.organisation)
    assert eligible is False and "黑名单" in reason
    entry = BlacklistEntry.objects.get(supplier=approved)
    assert approved.next_check_at == entry.ends_at
    assert "串通投标" in staff.get("/suppliers/blacklist/").content.decode()

    # Before the end nothing changes, however often the worker runs.
    chronograph_run(now=entry.ends_at - dt.timedelta(seconds=1))
    approved.refresh_from_db()
    assert approved.credit_status == CreditStatus.BLACKLISTED

    chronograph_run(now=entry.ends_at + dt.timedelta(minutes=5))
    approved.refresh_from_db()
    entry.refresh_from_db()
    assert entry.lifted_at == entry.ends_at
    assert approved.credit_status == CreditStatus.GOOD and approved.next_check_at is None
    assert supplier_eligible(approved.organisation) == (True, "")
    assert Event.objects.filter(action="suppliers.blacklist.ended", object_id=str(entry.pk)).count() == 1
    assert Event.objects.filter(action="suppliers.supplier.credit_changed").count() == 1
    # Idempotent: a second run finds nothing due.
    chronograph_run(now=entry.ends_at + dt.timedelta(days=1))
    assert Event.objects.filter(action="suppliers.blacklist.ended").count() == 1


def test_blacklist_needs_reason_and_future_end(approved, client_as):
    staff = client_as("staff")
    staff.post(f"/suppliers/pool/{approved.pk}/blacklist/", {"ends_on": "2020-01-01", "reason": "x"})
    staff.post(f"/suppliers/pool/{approved.pk}/blacklist/", {"ends_on": "2099-01-01", "reason": ""})
    assert not BlacklistEntry.objects.exists()
    assert SupplierProfile.objects.get(pk=approved.pk).credit_status == CreditStatus.GOOD


def test_staff_lifts_a_blacklisting_early(approved, client_as):
    staff = client_as("staff")
    staff.post(f"/suppliers/pool/{approved.pk}/blacklist/", {"ends_on": "2099-01-01", "reason": "虚假材料"})
    entry = BlacklistEntry.objects.get()
    assert client_as("audit").post(f"/suppliers/blacklist/{entry.pk}/lift/", {"reason": "复议撤销"}
                                   ).status_code == 403
    staff.post(f"/suppliers/blacklist/{entry.pk}/lift/", {"reason": "行政复议撤销原决定"})
    entry.refresh_from_db()
    approved.refresh_from_db()
    assert entry.lifted_at is not None and approved.credit_status == CreditStatus.GOOD
    assert Event.objects.filter(action="suppliers.blacklist.lifted").count() == 1


def test_chronograph_flags_expired_qualifications(approved):
    today = db_now().date()
    qualification = qualification_add(
        actor="system", profile=approved, name="安全生产许可证", certificate_number="A1", issuer="浙江省住建厅",
        valid_until=today + dt.timedelta(days=3), upload=ContentFile(b"scan", name="a.pdf"))
    approved.refresh_from_db()
    assert approved.next_check_at is not None
    chronograph_run(now=approved.next_check_at + dt.timedelta(seconds=1))
    qualification.refresh_from_db()
    approved.refresh_from_db()
    assert qualification.expired_at is not None and approved.next_check_at is None
    assert Event.objects.filter(action="suppliers.qualification.expired",
                                object_id=str(qualification.pk)).count() == 1
    assert Qualification.objects.filter(expired_at__isnull=True).count() == 0
