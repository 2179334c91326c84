"""Hot statements executed as PostgreSQL prepared statements.

Django's psycopg cursors bind parameters on the client and send every statement as text, so PostgreSQL
parses and plans it on every call. For a statement on a hot path that is cheap to run but costly to plan —
the funding check's single lookup: 0.3 ms of planning against 0.04 ms of execution — that planning is most
of the work. :func:`fetchone` runs such a statement through a server-side-binding cursor with
``prepare=True``: parsed and planned once per database connection (connections are pooled, so once per
pooled connection), executed by name afterwards.

The connection settings this needs (``settings.py``): ``prepare_threshold`` set (psycopg prepares nothing
when it is ``None``, Django's default), and ``plan_cache_mode=force_generic_plan`` — without it PostgreSQL
re-plans a prepared statement with parameters for every new parameter value (a "custom plan") whenever it
estimates the generic plan as costlier, which it did here, and nothing is saved. The setting only affects
prepared statements (and PL/pgSQL's cached plans); Django's own queries are never prepared. Measured in
docs/performance-musttrade.md ("Fourth pass"): the lookup 0.47 → 0.17 ms per call.

On SQLite (and any other database) the statement simply goes through Django's cursor."""

from __future__ import annotations

from typing import Any

from django.db import connection


def fetchone(sql: str, params: list[Any]) -> tuple | None:
    """One row of ``sql`` (``%s`` placeholders), prepared on PostgreSQL. Only for read statements whose
    text is a constant (the prepared-statement cache is keyed by the text)."""
    if connection.vendor == "postgresql" and connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold"):
        import psycopg

        connection.ensure_connection()
        with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
