from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from yangguang.accounts.models import User
from yangguang.projects import services
from yangguang.projects.models import Project
from yangguang.projects.states import ProjectStatus

from .factories import catalogue_setup, project_make


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the race needs PostgreSQL")
def test_parallel_acceptances_get_distinct_codes(relaxed_log, demo):
    catalogue_setup()
    projects = [project_make(status=ProjectStatus.SUBMITTED, name=f"并发项目{i}") for i in range(6)]
    staff = User.objects.get(username="staff")
    barrier = threading.Barrier(len(projects))
    errors: list[BaseException] = []

    def accept(project: Project) -> None:
        try:
            barrier.wait()
            services.project_accept(actor=staff, project=project)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(p,)) for p in projects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    codes = sorted(Project.objects.values_list("code", flat=True))
    assert len(set(codes)) == 6
    assert [c[-5:] for c in codes] == ["00001", "00002", "00003", "00004", "00005", "00006"]
