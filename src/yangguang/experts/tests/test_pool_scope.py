"""The region scope of a draw: local = the project's region and the regions below it, remote = outside the
project's city, any = everywhere (the pool statement reads the region tree as a subquery)."""

from __future__ import annotations

import pytest

from yangguang.accounts.models import Region
from yangguang.experts.recusal import pool_compute

from .factories import experts_make, project_for_draw, request_make, specialties_make


@pytest.fixture
def spread(demo):
    specialties_make()
    Region.objects.get_or_create(code="330100", defaults={"name": "杭州市", "level": Region.Level.CITY})
    return {code: {e.pk for e in experts_make(4, specialty="A01", region_code=code)}
            for code in ("331100", "331121", "330100")}


def _pool(region_code: str, scope: str) -> set[int]:
    request = request_make(project_for_draw(region_code=region_code), quotas=[("A01", 1)], backups=0,
                           region_scope=scope)
    return set(pool_compute(request).strata[0].ids)


def test_local_remote_and_any_from_the_city(spread) -> None:
    lishui = spread["331100"] | spread["331121"]
    assert _pool("331100", "local") == lishui
    assert _pool("331100", "remote") == spread["330100"]
    assert _pool("331100", "any") == lishui | spread["330100"]


def test_local_and_remote_from_a_county(spread) -> None:
    assert _pool("331121", "local") == spread["331121"]
    # Remote means outside the whole city, not just outside the county.
    assert _pool("331121", "remote") == spread["330100"]
