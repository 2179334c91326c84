"""The evaluation's answer to the funding check (projects.funding ``trade_status_provider``): a project whose
lot has an award and a contract is traded; one with an evaluation under way is in progress."""

from __future__ import annotations

from typing import Any


def trade_status_of(project: Any) -> Any:
    from yangguang.projects.funding import TradeStatus

    from .models import Contract, Evaluation
    from .states import EvaluationStatus

    contract = (Contract.objects.filter(evaluation__procedure__project=project).select_related(
        "evaluation__procedure", "evaluation__award").order_by("pk").first())
    if contract is not None:
        ev = contract.evaluation
        from yangguang.notices.models import Notice

        code = Notice.objects.filter(pk=contract.notice_id or 0).values_list("code", flat=True).first() or ""
        return TradeStatus("traded",
                           f"award {ev.procedure.code or ev.procedure_id}-{ev.lot_id}, contract notice {code}")
    if Evaluation.objects.filter(procedure__project=project).exclude(status=EvaluationStatus.FAILED).exists():
        return TradeStatus("in_progress", "evaluation under way")
    return None
