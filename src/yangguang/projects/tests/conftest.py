from __future__ import annotations

import pytest

from .factories import catalogue_setup


@pytest.fixture
def items(demo):
    """The accounts demo plus a small catalogue in force for 丽水市 (one item per category)."""
    return catalogue_setup()


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    """The demo creates a dozen accounts per test; a fast hasher keeps these tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
