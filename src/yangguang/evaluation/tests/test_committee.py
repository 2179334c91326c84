"""The committee: seated from the released draw, composition rules (a committee that breaks them cannot
start), conflict declarations calling up the backups, the chair election."""

from __future__ import annotations

import pytest

from yangguang.core.errors import IllegalTransition, PermissionDenied, ValidationFailed

from .. import services
from ..models import Member
from ..states import EvaluationStatus, MemberState
from . import factories as f

pytestmark = pytest.mark.django_db


def test_experts_of_the_released_draw_are_seated_and_a_full_committee_starts(demo):
    evaluation = f.ready(f.seated(f.opened()))
    members = f.members(evaluation)
    assert len(members) == 5 and all(m.kind == "expert" and m.user_id for m in members)
    assert sum(m.is_chair for m in members) == 1
    started = services.evaluation_start(actor=f.staff(), evaluation=evaluation)
    assert started.status == EvaluationStatus.IN_SESSION


def test_a_sealed_draw_cannot_be_seated(demo):
    evaluation = f.opened()
    draw = f.released_draw(evaluation.procedure)
    draw.released_at = None
    with pytest.raises(IllegalTransition):
        services.committee_seat(actor=f.staff(), evaluation=evaluation, draw=draw)


@pytest.mark.parametrize(("experts", "reps", "reason"), [
    (4, 0, "至少需要 5 人"),          # too small (G-026)
    (5, 1, "单数"),                   # even
    (3, 2, "三分之二"),               # experts 3 of 5 < 2/3
])
def test_a_committee_that_breaks_the_composition_rules_cannot_start(demo, experts, reps, reason):
    evaluation = f.ready(f.seated(f.opened(), experts=experts, reps=reps))
    with pytest.raises(ValidationFailed) as failed:
        services.evaluation_start(actor=f.staff(), evaluation=evaluation)
    assert reason in str(failed.value) and "G-026" in str(failed.value)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PREPARING


def test_a_procurement_budget_of_ten_million_needs_seven(demo):
    evaluation = f.ready(f.seated(f.opened("government_procurement", budget="12000000.00",
                                           prices=("11000000", "10500000", "11500000")), experts=5))
    with pytest.raises(ValidationFailed) as failed:
        services.evaluation_start(actor=f.staff(), evaluation=evaluation)
    assert "7" in str(failed.value)


def test_a_declared_conflict_withdraws_the_member_and_seats_the_next_backup(demo):
    evaluation = f.seated(f.opened())
    first = f.members(evaluation)[0]
    bidder = evaluation.tenderers.get(ref="T1")
    services.member_sign_in(actor=first.user, evaluation=evaluation)
    replacement = services.conflict_declare(actor=first.user, evaluation=evaluation,
                                            conflicts={bidder.pk: "前三年内曾在该单位任职"})
    first.refresh_from_db()
    assert first.state == MemberState.REPLACED and first.replaced_by == replacement
    assert replacement is not None and replacement.slot is not None and first.slot is not None
    assert replacement.slot.role == "backup" and replacement.slot.stratum == first.slot.stratum
    assert len(f.members(evaluation)) == 5
    # The replaced member can no longer act; the backup signs in and the session can start.
    with pytest.raises(PermissionDenied):
        services.member_sign_in(actor=first.user, evaluation=evaluation)
    f.ready(evaluation)
    assert services.evaluation_start(actor=f.staff(), evaluation=evaluation).status == EvaluationStatus.IN_SESSION


def test_the_purchasers_representative_may_not_chair(demo):
    evaluation = f.seated(f.opened(), experts=5, reps=0)
    rep_user = f.purchaser()
    rep = services.representative_add(actor=f.purchaser(), evaluation=evaluation, user=rep_user)
    voter = f.members(evaluation)[0]
    services.member_sign_in(actor=voter.user, evaluation=evaluation)
    with pytest.raises(ValidationFailed) as failed:
        services.chair_vote(actor=voter.user, evaluation=evaluation, candidate=rep)
    assert "P-023" in str(failed.value) or "chair" in str(failed.value)
    assert not Member.objects.filter(pk=rep.pk, is_chair=True).exists()


def test_only_members_declare_and_only_staff_start(demo, user_of):
    evaluation = f.seated(f.opened())
    for role in ("staff", "purchaser", "supervisor", "admin", "supplier", "expert"):
        with pytest.raises(PermissionDenied):
            services.member_sign_in(actor=user_of(role), evaluation=evaluation)
    with pytest.raises(PermissionDenied):
        services.evaluation_start(actor=f.purchaser(), evaluation=evaluation)
