"""The chronograph: every due step applied once, catching up after downtime, paused by a hold, and exactly
once with two workers claiming at the same time (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from yangguang.accounts.models import User
from yangguang.core.chronograph import chronograph_run
from yangguang.core.errors import IllegalTransition, PermissionDenied
from yangguang.core.eventlog import Event
from yangguang.tendering import services
from yangguang.tendering.models import Procedure

from .factories import deadline_of, procedure_published, supplier_make


@pytest.mark.django_db
def test_catching_up_after_downtime_applies_every_due_step_once(items):
    procedure = procedure_published()
    for _ in range(2):  # fewer than G-023's three
        services.registration_create(actor=supplier_make(), lot=procedure.lots.get())
    # The worker was down for the whole procedure: one run applies the notice, document and deadline steps.
    late = deadline_of(procedure) + dt.timedelta(days=3)
    # Two objects: the procedure, then the bidding app's opening step (scheduled at the deadline at
    # publishing), which finds the procedure failed and stops.
    assert chronograph_run(now=late) == 2
    procedure.refresh_from_db()
    assert procedure.status == "failed" and procedure.next_check_at is None
    assert procedure.lots.get().status == "failed"
    event = Event.objects.get(action="tendering.procedure.time_steps", object_id=str(procedure.pk))
    assert event.payload["steps"] == ["documents_closed", "bidding_closed"]
    assert chronograph_run(now=late) == 0  # nothing left; idempotent
    # Failure handling: the failed-tender notice, then a linked re-tender.
    agency = User.objects.get(username="agency")
    services.procedure_failure_announce(actor=agency, procedure=procedure)
    procedure.refresh_from_db()
    assert procedure.failure_notice_id
    retender = services.procedure_retender(actor=agency, procedure=procedure)
    assert retender.retender_of_id == procedure.pk and retender.status == "draft"
    assert retender.documents.count() == 1 and retender.lots.count() == 1


@pytest.mark.django_db
def test_steps_come_one_by_one_when_the_worker_runs_on_time(items):
    procedure = procedure_published()
    assert procedure.effective_documents_until is not None
    chronograph_run(now=procedure.effective_documents_until + dt.timedelta(seconds=1))
    procedure.refresh_from_db()
    assert procedure.documents_closed_at is not None and procedure.status == "published"
    assert procedure.next_check_at == deadline_of(procedure)
    # Request handlers check the period with the database clock themselves, whatever the worker does.
    Procedure.objects.filter(pk=procedure.pk).update(
        effective_documents_until=procedure.time_origin, documents_closed_at=None, next_check_at=None)
    with pytest.raises(IllegalTransition):
        services.registration_create(actor=supplier_make(), lot=procedure.lots.get())


@pytest.mark.django_db
def test_a_hold_pauses_the_deadline_step_until_released(items):
    procedure = procedure_published()
    staff = User.objects.get(username="staff")
    hold = services.procedure_hold(actor=staff, procedure=procedure, reason="投诉处理中")
    after = deadline_of(procedure) + dt.timedelta(hours=1)
    # Only the bidding app's opening step runs: it finds the procedure still open (held) and looks again later.
    assert chronograph_run(now=after) == 1
    procedure.refresh_from_db()
    assert procedure.status == "published" and procedure.held
    with pytest.raises(PermissionDenied):
        services.procedure_hold(actor=User.objects.get(username="supplier"), procedure=procedure, reason="x")
    services.procedure_release(actor=staff, hold=hold)
    assert chronograph_run(now=after) == 1
    procedure.refresh_from_db()
    assert procedure.status == "failed"


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite has one writer at a time, so two workers cannot race; the claim uses SKIP LOCKED "
                           "on PostgreSQL")
def test_two_workers_apply_every_due_step_exactly_once(relaxed_log, demo):
    from yangguang.projects.tests.factories import catalogue_setup

    from .factories import accepted_project

    catalogue_setup()
    project = accepted_project()
    first = procedure_published(project)
    # 120 due procedures: copies of a published one, all past their deadline.
    base = Procedure.objects.get(pk=first.pk)
    for n in range(119):
        clone = Procedure.objects.get(pk=base.pk)
        clone.pk = None
        clone.code = f"{base.code}-{n}"
        clone.save()
    due = deadline_of(base) + dt.timedelta(minutes=1)
    barrier = threading.Barrier(2)
    handled: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            total = 0
            while True:
                n = chronograph_run(now=due, limit=7)
                if not n:
                    break
                total += n
            handled.append(total)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Both workers took a share, no procedure twice (121: the 120 procedures and the first one's opening
    # step of the bidding app — the copies have no opening key).
    assert sum(handled) == 121 and all(handled), handled
    closes = Event.objects.filter(action="tendering.procedure.time_steps")
    assert closes.count() == 120
    assert len({e.object_id for e in closes}) == 120
    assert Procedure.objects.filter(status="failed").count() == 120
