from __future__ import annotations

import datetime as dt

import pytest

from .factories import catalogue_setup


@pytest.fixture
def items(demo):
    """The accounts demo plus a small catalogue in force for 丽水市 (one item per category)."""
    return catalogue_setup()


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path) -> None:
    """The demo creates a dozen accounts per test; a fast hasher keeps these tests quick. The demo's finance
    key file goes to the test's own folder, not var/."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path


class Clock:
    """The database clock as the must-trade services read it (``core.dbclock.db_now``), set by the test."""

    def __init__(self, monkeypatch) -> None:
        from yangguang.core import dbclock

        self.now: dt.datetime | None = None
        self._real = dbclock.db_now
        monkeypatch.setattr(dbclock, "db_now", lambda: self.now or self._real())

    def at(self, text: str) -> dt.datetime:
        """Set the clock to a Shanghai local time such as "2026-03-10 09:00"."""
        from yangguang.core.deadlines import SHANGHAI

        self.now = dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)
