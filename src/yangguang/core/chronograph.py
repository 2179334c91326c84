"""The chronograph: time-driven steps without anything waiting in memory.

A workflow model with future deadlines has a ``next_check_at`` column, computed by a pure function of its
state. Apps register a job at start-up (``AppConfig.ready``); ``yangguang worker`` calls
:func:`chronograph_run` every tick. Each due row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` so two
workers never run the same step, and the handler (a service function) applies every step that is due and
sets the next ``next_check_at`` (or ``None``). Catching up after downtime is the same call.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models, transaction

from .dbclock import db_now

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueJob:
    name: str
    model: type[models.Model]
    handler: Callable[[models.Model, dt.datetime], None]
    # Optional: applies the due steps of many claimed rows in one transaction (one claim query, bulk
    # writes). Used where backlogs of many thousands of rows must be caught up quickly.
    batch_handler: Callable[[list, dt.datetime], None] | None = None


_jobs: dict[str, DueJob] = {}


def chronograph_register(name: str, model: type[models.Model],
                         handler: Callable[[models.Model, dt.datetime], None], *,
                         batch_handler: Callable[[list, dt.datetime], None] | None = None) -> None:
    _jobs[name] = DueJob(name, model, handler, batch_handler)


def registered_jobs() -> list[DueJob]:
    return list(_jobs.values())


def chronograph_run(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Apply every due step of every registered job; returns how many objects were handled."""
    handled = 0
    for job in _jobs.values():
        moment = now or db_now()
        if job.batch_handler is not None:
            handled += _run_batch(job, moment, limit)
            continue
        due_ids = list(
            job.model._default_manager.filter(next_check_at__lte=moment)  # type: ignore[misc]
            .order_by("next_check_at").values_list("pk", flat=True)[:limit]
        )
        for pk in due_ids:
            with transaction.atomic():
                rows = job.model._default_manager.filter(pk=pk, next_check_at__lte=moment)
                rows = rows.select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
                obj = rows.first()
                if obj is None:  # another worker has it, or it is no longer due
                    continue
                job.handler(obj, moment)
                handled += 1
    return handled


def _run_batch(job: DueJob, moment: dt.datetime, limit: int) -> int:
    """Claim up to ``limit`` due rows in one statement (``FOR UPDATE SKIP LOCKED``: rows another worker
    holds are passed over, and a row whose ``next_check_at`` another worker has just moved is re-checked
    against the condition after the lock) and hand them to the job's batch handler in one transaction."""
    with transaction.atomic():
        rows = list(
            job.model._default_manager.filter(next_check_at__lte=moment)  # type: ignore[misc]
            .order_by("next_check_at", "pk")
            .select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)[:limit]
        )
        if rows:
            job.batch_handler(rows, moment)  # type: ignore[misc]
    return len(rows)
