"""Fixtures shared by every app's tests: demo actors per role, signed-in clients, a fresh signing key."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django.test import Client


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path) -> None:
    """Each test gets its own media folder and platform key; nothing touches var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YANGGUANG_SIGNING_KEY_FILE = tmp_path / "keys" / "platform.pem"
    # Hashing demo passwords with PBKDF2 costs ~1 s per account; tests need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db) -> None:
    """Regions, centres, organisations and one account per role (accounts demo only)."""
    from yangguang.accounts import demo as accounts_demo

    accounts_demo.load()


@pytest.fixture
def user_of(demo) -> Callable[[str], object]:
    """user_of("supplier") → the demo user of that role (username as in accounts.demo.DEMO_ACCOUNTS)."""
    from yangguang.accounts.models import User

    def get(role_or_username: str):
        found = User.objects.filter(username=role_or_username).first()
        return found or User.objects.filter(role=role_or_username).order_by("pk").first()

    return get


@pytest.fixture
def client_as(user_of) -> Callable[[str], Client]:
    """client_as("staff") → a test client signed in as that demo user (CSRF checks on)."""

    def make(role_or_username: str) -> Client:
        client = Client(enforce_csrf_checks=False)
        client.force_login(user_of(role_or_username))
        return client

    return make


def _log_triggers(enable: bool) -> None:
    if connection.vendor != "postgresql":
        return
    action = "ENABLE" if enable else "DISABLE"
    with connection.cursor() as cursor:
        for table in ("core_event", "core_checkpoint"):
            cursor.execute(f"ALTER TABLE {table} {action} TRIGGER USER")


@pytest.fixture
def relaxed_log(transactional_db) -> Iterator[None]:
    """For transactional tests on PostgreSQL: the log's append-only triggers are on during the test and
    off for the flush that empties the database afterwards."""
    _log_triggers(True)
    yield
    _log_triggers(False)


# Browser fixtures (Playwright + Debian's chromium) for every app's browser tests: see tests/browser.py.
from tests.browser import browser, page  # noqa: E402, F401
