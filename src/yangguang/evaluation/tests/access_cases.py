"""Expected HTTP status of every evaluation page and API operation for every role (and the public).

The fixture is an evaluation whose report awaits signatures: four drawn experts and the demo purchaser as the
purchaser's representative have scored; the demo supplier is one of the bidders; a negotiation round is open.
The demo expert is NOT on this committee, so it sees nothing of it. Write pages answer 302 (back to the page
with a message) whether or not the step succeeds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from yangguang.accounts.access import SUPERVISORY_ROLES
from yangguang.accounts.states import Role

READERS = {Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, Role.PURCHASER, Role.AGENCY, *SUPERVISORY_ROLES}


def _expect(default: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    expected: dict[str, int] = {str(role): default for role in Role.values}
    expected["anonymous"] = anonymous
    expected.update(overrides)
    return expected


def _only(roles: set, ok: int, anonymous: int = 302, default: int = 403) -> dict[str, int]:
    return _expect(default, anonymous, **{str(r): ok for r in roles})


def _fixtures(ctx: dict[str, Any]) -> dict[str, int]:
    from yangguang.core.dbclock import db_now

    from .. import services
    from ..models import Round
    from . import factories as f

    procedure = f.procedure_in()
    lot = procedure.lots.get()
    users = [ctx["user_of"]("supplier"), *f.bidders(2)]
    rows = f.bids_for(lot, users, ["4500000", "4300000", "4650000"])
    f.bids_closed(procedure)
    evaluation = services.evaluation_open(actor=f.staff(), lot=lot, bids=rows)
    f.seated(evaluation, experts=4)
    services.representative_add(actor=f.purchaser(), evaluation=evaluation, user=f.purchaser())
    evaluation = services.evaluation_start(actor=f.staff(), evaluation=f.ready(evaluation))
    f.score_all(f.reviewed(evaluation))
    services.report_generate(actor=f.staff(), evaluation=evaluation)
    now = db_now()
    rnd = Round.objects.create(evaluation=evaluation, number=1, opened_at=now, closes_at=now + dt.timedelta(hours=2))
    return {"ev": evaluation.pk, "round": rnd.pk, "lot": lot.pk}


def _ids(ctx: dict[str, Any]) -> dict[str, int]:
    """Built once per access-matrix run (the ctx lives as long as the test's database state)."""
    if "_evaluation" not in ctx:
        ctx["_evaluation"] = _fixtures(ctx)
    return ctx["_evaluation"]


def cases(ctx: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:
    ids = _ids(ctx)
    ev, rnd = ids["ev"], ids["round"]
    # The committee (the purchaser as its representative) and the organisers read the unsigned report;
    # the agency and the supervisors only once every member has signed.
    report = _only({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, Role.PURCHASER}, 200)
    return [
        ("GET", "/evaluation/", _expect(200)),
        ("GET", f"/evaluation/{ev}/", _only(READERS, 200)),
        ("GET", f"/evaluation/{ev}/score/", _only({Role.PURCHASER}, 200)),
        ("GET", f"/evaluation/{ev}/result/", _only({Role.SUPPLIER}, 200)),
        ("GET", f"/evaluation/{ev}/report.pdf", report),
        ("GET", f"/evaluation/{ev}/award.pdf",
         _only({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, Role.PURCHASER, Role.AGENCY}, 404)),
        ("POST", f"/evaluation/{ev}/do/sign_in/", _expect(302)),
        # The award path's steps: every signed-in user is sent back with a message (the service refuses all
        # but the purchaser side, and the report still awaits signatures here, so nothing changes).
        ("POST", f"/evaluation/{ev}/do/withdraw/", _expect(302)),
        ("POST", f"/evaluation/{ev}/do/retender/", _expect(302)),
        ("POST", f"/evaluation/{ev}/do/contract/", _expect(302)),
        # The lot's evaluation is already open: the buyer side and staff are sent back with a message.
        ("POST", f"/evaluation/lots/{ids['lot']}/open/",
         _only({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, Role.PURCHASER, Role.AGENCY}, 302)),
        ("GET", "/api/v1/evaluation/", _expect(200, 401)),
        ("GET", f"/api/v1/evaluation/{ev}", _only(READERS, 200, 401, default=403) | {"expert": 404}),
        ("GET", f"/api/v1/evaluation/{ev}/scores", _only(READERS, 200, 401) | {"expert": 404}),
        ("GET", f"/api/v1/evaluation/{ev}/result", _only({Role.SUPPLIER}, 200, 401)),
        ("GET", f"/api/v1/evaluation/rounds/{rnd}/quotes", _only({*READERS, Role.SUPPLIER}, 200, 401)
         | {"expert": 404}),
    ]


def api_write_cases(ctx: dict[str, Any]) -> list[tuple]:
    ids = _ids(ctx)
    ev, rnd = ids["ev"], ids["round"]
    member_roles = {"*": 403, "anonymous": 401, "expert": 404}
    return [
        # The purchaser (a member) may, but the report is awaiting signatures: scoring is over (409).
        ("POST", f"/api/v1/evaluation/{ev}/scores", {**member_roles, "purchaser": 409}, {"scores": []}),
        ("POST", f"/api/v1/evaluation/{ev}/scores/submit", {**member_roles, "purchaser": 409}, None),
        ("POST", f"/api/v1/evaluation/{ev}/declarations", {**member_roles, "purchaser": 409}, {"conflicts": {}}),
        ("POST", f"/api/v1/evaluation/{ev}/report/sign", {**member_roles, "purchaser": 200}, None),
        ("POST", f"/api/v1/evaluation/rounds/{rnd}/quotes", {"*": 403, "anonymous": 401, "supplier": 200},
         {"price": "4400000"}),
        ("POST", f"/api/v1/evaluation/{ev}/objections", {"*": 403, "anonymous": 401, "supplier": 409},
         {"text": "对评审结果有异议"}),
    ]
