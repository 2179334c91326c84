"""Demo: open the evaluation of every demo lot whose opening is concluded (bidding's demo) and seat the
experts of its project's released draw (experts' demo), so the evaluation room has something to show.
Idempotent: a lot with an evaluation is left alone."""

from __future__ import annotations


def load() -> str:
    from yangguang.accounts.models import User
    from yangguang.core.errors import ServiceError
    from yangguang.experts.models import Draw

    from . import services
    from .selectors import lots_ready

    staff = User.objects.filter(username="staff").first()
    if staff is None:
        return "evaluation: accounts demo not loaded"
    opened = seated = 0
    for lot in lots_ready(staff):
        try:
            evaluation = services.evaluation_open(actor=staff, lot=lot)
        except ServiceError:
            continue
        opened += 1
        draw = (Draw.objects.filter(request__project_id=lot.procedure.project_id, released_at__isnull=False)
                .order_by("-pk").first())
        if draw is not None:
            try:
                services.committee_seat(actor=staff, evaluation=evaluation, draw=draw)
                seated += 1
            except ServiceError:
                pass
    if not opened:
        return "evaluation: no concluded opening in the demo yet"
    return f"evaluation: {opened} evaluations opened, {seated} committees seated"
