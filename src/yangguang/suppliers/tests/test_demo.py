import pytest
from django.db.models import Count

from yangguang.core.models import Event
from yangguang.suppliers import demo as suppliers_demo
from yangguang.suppliers.credit_code import credit_code_validate
from yangguang.suppliers.models import BlacklistEntry, Qualification, SupplierProfile
from yangguang.suppliers.states import CreditStatus, SupplierStatus

pytestmark = pytest.mark.django_db


def test_demo_loads_the_pool_once(demo):
    suppliers_demo.load()
    counts = dict(SupplierProfile.objects.values_list("primary_class").annotate(n=Count("id")))
    assert counts == {"goods": 285, "works": 264, "services": 78}
    assert SupplierProfile.objects.filter(status=SupplierStatus.APPROVED).count() == 627
    assert SupplierProfile.objects.filter(credit_status=CreditStatus.BLACKLISTED).count() == 3
    assert BlacklistEntry.objects.count() == 3 and Qualification.objects.count() >= 3
    existing = SupplierProfile.objects.get(organisation__name="丽水青瓷建设工程有限公司")
    assert existing.primary_class == "works" and existing.status == SupplierStatus.APPROVED
    codes = list(SupplierProfile.objects.values_list("organisation__credit_code", flat=True))
    assert len(set(codes)) == 627
    assert all(credit_code_validate(c) == c for c in codes)
    assert SupplierProfile.objects.values("organisation__region").distinct().count() >= 5
    assert Event.objects.filter(action="suppliers.supplier.registered").count() == 627

    events = Event.objects.count()
    suppliers_demo.load()
    assert SupplierProfile.objects.count() == 627 and Event.objects.count() == events
