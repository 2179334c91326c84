"""The demo publishes a realistic spread of notices and is idempotent."""

from __future__ import annotations

import pytest

from yangguang.catalogue.states import Category
from yangguang.core.chronograph import chronograph_run
from yangguang.notices import demo as notices_demo
from yangguang.notices.models import Notice

pytestmark = pytest.mark.django_db


def test_demo_spread_and_idempotence(demo):
    from yangguang.catalogue import demo as catalogue_demo
    from yangguang.projects import demo as projects_demo

    catalogue_demo.load()
    projects_demo.load()
    before = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0  # earlier demos' notices
    notices_demo.load()
    count = Notice.objects.count()
    assert 150 <= count <= 300
    assert set(Notice.objects.values_list("category", flat=True)) == set(Category.values)
    assert Notice.objects.values("region").distinct().count() >= 6
    assert Notice.objects.filter(corrects__isnull=False).exists()
    assert Notice.objects.filter(status="withdrawn").exists()
    assert Notice.objects.filter(project__isnull=False, published_by__role__in=["purchaser", "agency"]).exists()
    # Newest first by id is newest first by publication time, for the notices this demo back-dates.
    ids = list(Notice.objects.filter(pk__gt=before).order_by("published_at", "pk").values_list("pk", flat=True))
    assert ids == sorted(ids)
    chronograph_run()  # windows that ended in the past close; recent ones stay open
    assert Notice.objects.filter(publicity_closed_at__isnull=False).exists()
    assert Notice.objects.filter(publicity_closes_at__isnull=False, publicity_closed_at__isnull=True,
                                 status="published").exists()
    notices_demo.load()
    assert Notice.objects.count() == count
