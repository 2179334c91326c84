"""Test data for evaluations, made through the services of every app involved: a published procedure whose
bids are in, bidders with securities, experts with accounts who accepted a released draw, and an evaluation
at any step up to the contract."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from yangguang.accounts.models import User
from yangguang.accounts.services import user_create
from yangguang.accounts.states import Role
from yangguang.catalogue.states import Category
from yangguang.core.dbclock import db_now
from yangguang.experts.models import Draw, DrawRequest, DrawSlot
from yangguang.experts.services import draw_release, draw_run, invitation_respond
from yangguang.experts.states import SlotState
from yangguang.experts.tests.factories import experts_make, request_make, specialties_make
from yangguang.tendering.models import Lot, Procedure
from yangguang.tendering.services.securities import _security_add
from yangguang.tendering.states import ProcedureStatus
from yangguang.tendering.tests.factories import accepted_project, organisation_of, procedure_published, supplier_make

from .. import services
from ..models import Evaluation, Member
from ..states import EvaluationStatus

PASSWORD = "Evaluate-2026-secure"  # noqa: S105 - test accounts
_serial = itertools.count(1)

WORKS_CRITERIA = [{"code": "price", "name": "投标报价", "weight": 60, "kind": "price"},
                  {"code": "tech", "name": "施工组织设计", "weight": 30, "kind": "technical"},
                  {"code": "team", "name": "项目管理机构", "weight": 10, "kind": "commercial"}]
GOODS_CRITERIA = [{"code": "price", "name": "价格", "weight": 30, "kind": "price"},
                  {"code": "tech", "name": "技术方案", "weight": 50, "kind": "technical"},
                  {"code": "service", "name": "售后服务", "weight": 20, "kind": "commercial"}]


def staff() -> User:
    return User.objects.get(username="staff")


def purchaser() -> User:
    return User.objects.get(username="purchaser")


def bids_closed(procedure: Procedure) -> Procedure:
    """The bid deadline has passed (tests cannot wait for the clock)."""
    Procedure.objects.filter(pk=procedure.pk).update(status=ProcedureStatus.READY_FOR_OPENING)
    procedure.refresh_from_db()
    return procedure


def procedure_in(category: str = Category.CONSTRUCTION, *, budget: str = "5000000.00", **overrides: Any) -> Procedure:
    """A published procedure, open for bids."""
    project = accepted_project(category=category, budget=budget)
    if category == Category.GOVERNMENT_PROCUREMENT:
        values: dict[str, Any] = {
            "method": "procurement_open", "title": "医疗设备采购", "evaluation_method": "comprehensive_score",
            "evaluation_criteria": GOODS_CRITERIA, "document_days": 5, "bid_days": 20}
        from yangguang.tendering import services as tendering

        values["lots"] = [tendering.LotData("医疗设备", budget, budget, "10000.00")]
    else:
        values = {"evaluation_criteria": WORKS_CRITERIA}
    values.update(overrides)
    return procedure_published(project, **values)


def bidders(n: int = 3) -> list[User]:
    return [supplier_make() for _i in range(n)]


def bids_for(lot: Lot, users: list[User], prices: list[str], *, sizes: list[str] | None = None,
             securities: bool = True) -> list[dict[str, Any]]:
    """The explicit-list seam of ``evaluation_open`` (same fields as bidding's ``OpenedBid``)."""
    rows: list[dict[str, Any]] = []
    for i, (user, price) in enumerate(zip(users, prices, strict=True)):
        org = organisation_of(user)
        if securities and lot.bid_security:
            _security_add(lot=lot, organisation=org, kind="electronic_guarantee", amount=lot.bid_security,
                          reference=f"EVAL-G-{lot.pk}-{org.pk}", payer_account="", issuer="测试银行",
                          received_at=None)
        rows.append({"bid_id": None, "organisation_id": org.pk, "bidder_name": org.name,
                     "credit_code": org.credit_code, "total_price": Decimal(price),
                     "terms": {"duration_days": "300", "quality": "合格"},
                     "enterprise_size": (sizes or ["large"] * len(users))[i], "price_lines": [],
                     "security_ok": True})
    return rows


def expert_users(experts: list[Any]) -> list[User]:
    users = []
    for expert in experts:
        user = user_create(actor="system", username=f"evexpert{next(_serial)}_{expert.pk}", password=PASSWORD,
                           organisation=None, role=Role.EXPERT, display_name=expert.name)
        expert.user = user
        expert.save(update_fields=["user"])
        users.append(user)
    return users


def released_draw(procedure: Procedure, *, experts: int = 5, backups: int = 2) -> Draw:
    """A draw for the procedure's project: every primary accepts, then two officials release it."""
    specialties_make()
    pool = experts_make(experts + backups + 4, specialty="A01")
    expert_users(pool)
    request = request_make(procedure.project, quotas=[("A01", experts)], backups=backups)
    draw = draw_run(actor=staff(), request=request)
    # The pool may hold experts made elsewhere without an account: every drawn one gets one to sign in with.
    expert_users([s.expert for s in DrawSlot.objects.filter(draw=draw, expert__user__isnull=True)
                  .select_related("expert")])
    for slot in DrawSlot.objects.filter(draw=draw, state=SlotState.INVITED).select_related("expert__user"):
        invitation_respond(actor=slot.expert.user, slot=slot, accept=True)
    DrawRequest.objects.filter(pk=request.pk).update(evaluation_at=db_now() - dt.timedelta(minutes=1))
    draw_release(actor=staff(), draw=draw)
    draw_release(actor=User.objects.get(username="supervisor"), draw=draw)
    draw.refresh_from_db()
    return draw


def opened(category: str = Category.CONSTRUCTION, *, prices: tuple[str, ...] = ("4500000", "4300000", "4650000"),
           budget: str = "5000000.00", **overrides: Any) -> Evaluation:
    procedure = procedure_in(category, budget=budget, **overrides)
    lot = procedure.lots.get()
    users = bidders(len(prices))
    rows = bids_for(lot, users, list(prices))
    bids_closed(procedure)
    return services.evaluation_open(actor=staff(), lot=lot, bids=rows)


def seated(evaluation: Evaluation, *, experts: int = 5, reps: int = 0) -> Evaluation:
    draw = released_draw(evaluation.procedure, experts=experts)
    services.committee_seat(actor=staff(), evaluation=evaluation, draw=draw)
    for _i in range(reps):
        rep = user_create(actor="system", username=f"evrep{next(_serial)}", password=PASSWORD,
                          organisation=purchaser().organisation, role=Role.PURCHASER, display_name="采购人代表")
        services.representative_add(actor=purchaser(), evaluation=evaluation, user=rep)
    return evaluation


def members(evaluation: Evaluation) -> list[Member]:
    return services.seated(evaluation)


def ready(evaluation: Evaluation) -> Evaluation:
    """Every seated member signs in and declares no conflict; the first expert is elected chair."""
    for m in members(evaluation):
        services.member_sign_in(actor=m.user, evaluation=evaluation)
        services.conflict_declare(actor=m.user, evaluation=evaluation, conflicts={})
    chair = next(m for m in members(evaluation) if m.kind == "expert")
    for m in members(evaluation):
        if services.chair_vote(actor=m.user, evaluation=evaluation, candidate=chair):
            break
    return evaluation


def started(category: str = Category.CONSTRUCTION, **kwargs: Any) -> Evaluation:
    evaluation = ready(seated(opened(category, **kwargs)))
    return services.evaluation_start(actor=staff(), evaluation=evaluation)


def reviewed(evaluation: Evaluation, failing: dict[str, str] | None = None) -> Evaluation:
    """Every checklist item recorded by the chair; ``failing`` maps bid refs to a reason (one item fails)."""
    chair = next(m for m in members(evaluation) if m.is_chair)
    for t in evaluation.tenderers.all():
        for code, _kind, _label in evaluation.checklist:
            fail = bool(failing and t.ref in failing and code == "substantive")
            services.review_record(actor=chair.user, evaluation=evaluation, tenderer=t, item=code, passed=not fail,
                                   reason=(failing or {}).get(t.ref, "") if fail else "")
    return services.scoring_open(actor=staff(), evaluation=evaluation)


def score_all(evaluation: Evaluation, *, base: int = 20, submit: bool = True) -> Evaluation:
    """Each seated member scores every subjective criterion of every qualified bid (slightly differently)."""
    criteria = services.subjective_criteria(evaluation)
    qualified = list(evaluation.tenderers.filter(qualified=True).order_by("pk"))
    for n, m in enumerate(members(evaluation)):
        rows = []
        for i, t in enumerate(qualified):
            for c in criteria:
                top = Decimal(str(c["points"]))
                rows.append((t.pk, c["code"], min(top, top * Decimal(base + 5 * i + n % 3) / 40)))
        services.score_save(actor=m.user, evaluation=evaluation, scores=rows)
        if submit:
            services.scores_submit(actor=m.user, evaluation=evaluation)
    evaluation.refresh_from_db()
    return evaluation


def signed(evaluation: Evaluation) -> Evaluation:
    services.report_generate(actor=staff(), evaluation=evaluation)
    for m in members(evaluation):
        services.report_sign(actor=m.user, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REPORTED
    return evaluation


def contract_fields() -> dict[str, str]:
    """The contract notice's legal fields as a purchaser fills them in (the price comes from the contract)."""
    return {"parties": "丽水市采购人，丽水市莲都区；中标人，丽水市", "subject": "办公楼改造工程", "quantity": "1 项",
            "quality": "合格", "performance": "180 日历天，项目现场，施工总承包",
            "acceptance": "按招标文件及合同约定验收",
            "liability": "按合同通用条款第 16 条", "disputes": "协商；协商不成向项目所在地人民法院起诉"}


# --- after the report: shared by the award-path and re-award tests -------------------------------------------

SECOND = dt.timedelta(seconds=1)


def reported(category: str = "construction", **kwargs: Any) -> Evaluation:
    return signed(score_all(reviewed(started(category, **kwargs))))


def procurement_reported() -> Evaluation:
    return reported("government_procurement", prices=("900000", "880000", "950000"), budget="1000000.00")


def tick(evaluation: Evaluation, at: dt.datetime) -> Evaluation:
    from yangguang.core.chronograph import chronograph_run

    chronograph_run(now=at)
    evaluation.refresh_from_db()
    return evaluation


def publicity_over(evaluation: Evaluation) -> Evaluation:
    """Close the candidate publicity as the chronograph would, a second after its end."""
    from django.db import transaction

    from yangguang.notices.models import Notice
    from yangguang.notices.services import notice_publicity_close

    evaluation.refresh_from_db()
    notice = Notice.objects.get(pk=evaluation.publicity_notice_id or 0)
    assert notice.publicity_closes_at is not None
    with transaction.atomic():
        notice_publicity_close(Notice.objects.select_for_update().get(pk=notice.pk),
                               notice.publicity_closes_at + SECOND)
    evaluation.refresh_from_db()
    return evaluation
