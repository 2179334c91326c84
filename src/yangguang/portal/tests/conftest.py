import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Portal fragments are cached under the notices revision, which restarts at 0 in every test database:
    each test starts with an empty cache so it never sees another test's pages."""
    cache.clear()
    yield
    cache.clear()
