"""The evaluation's answer to the funding check (``projects.funding.trade_status_sql_provider``): a project
whose lot has an award and a contract is traded; one with an evaluation under way is in progress.

The check is on every payment's path, so the answer is a column of the check's own statement rather than a
query of its own: as an ORM query it cost ~4 ms per check (mostly compiling it), as a separate statement
0.6 ms and a round trip (docs/performance-musttrade.md)."""

from __future__ import annotations


def trade_status_sql() -> str:
    from yangguang.notices.models import Notice
    from yangguang.tendering.models import Procedure

    from .models import Contract, Evaluation
    from .states import EvaluationStatus

    # Correlated on p.id (the project); only table names and constants of this code go into the text.
    return f"""
    SELECT CASE WHEN c.id IS NULL THEN 'in_progress|evaluation under way'
      ELSE 'traded|award ' || COALESCE(NULLIF(pr.code, ''), CAST(e.procedure_id AS TEXT)) || '-'
        || CAST(e.lot_id AS TEXT) || ', contract notice '
        || COALESCE((SELECT n.code FROM {Notice._meta.db_table} n WHERE n.id = c.notice_id), '') END
    FROM {Evaluation._meta.db_table} e
    JOIN {Procedure._meta.db_table} pr ON pr.id = e.procedure_id
    LEFT JOIN {Contract._meta.db_table} c ON c.evaluation_id = e.id
    WHERE pr.project_id = p.id AND e.status <> '{EvaluationStatus.FAILED}'
    ORDER BY c.id IS NULL, c.id, e.id
    LIMIT 1
    """  # noqa: S608
