from __future__ import annotations

import pytest

from yangguang.tendering.models import Procedure, Registration

pytestmark = pytest.mark.django_db


def test_demo_loads_procedures_in_several_states_and_is_idempotent(demo):
    from yangguang.catalogue import demo as catalogue_demo
    from yangguang.projects import demo as projects_demo
    from yangguang.suppliers import demo as suppliers_demo
    from yangguang.tendering import demo as tendering_demo

    catalogue_demo.load()
    suppliers_demo.load()
    projects_demo.load()
    tendering_demo.load()
    statuses = set(Procedure.objects.values_list("status", flat=True))
    assert {"published", "draft", "terminated"} <= statuses
    assert Registration.objects.count() == 4
    assert Procedure.objects.filter(retender_of__isnull=False).count() == 1
    count = Procedure.objects.count()
    assert "0 demo procedures created" in tendering_demo.load()
    assert Procedure.objects.count() == count
