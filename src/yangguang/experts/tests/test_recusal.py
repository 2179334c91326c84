"""Every drawn expert satisfies every recusal rule: random pools with random conflicts, checked against an
independent restatement of the rules (written from the generated facts, not from the database)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yangguang.accounts.models import User
from yangguang.core.dbclock import db_now
from yangguang.core.deadlines import SHANGHAI
from yangguang.core.errors import ValidationFailed
from yangguang.experts.models import (
    CompanyRelation,
    DeclaredConflict,
    DrawSlot,
    EmploymentRecord,
    Expert,
    ServiceRecord,
    Specialty,
    UnavailablePeriod,
)
from yangguang.experts.recusal import pool_compute
from yangguang.experts.services import draw_run
from yangguang.experts.states import ExpertStatus, Recusal

from .factories import code, experts_make, project_for_draw, request_make

PURCHASER, AGENCY, BIDDER_1, BIDDER_2, RELATED, OTHER_1, OTHER_2 = (code(900_000 + i) for i in range(7))
PARTIES = {PURCHASER, AGENCY, BIDDER_1, BIDDER_2}
EMPLOYERS = [PURCHASER, AGENCY, BIDDER_1, BIDDER_2, RELATED, OTHER_1, OTHER_1, OTHER_2, OTHER_2, OTHER_2]

facts = st.fixed_dictionaries({
    "employer": st.sampled_from(EMPLOYERS),
    "former": st.none() | st.tuples(st.sampled_from([BIDDER_1, RELATED, OTHER_1]), st.integers(30, 6 * 365)),
    "conflict": st.sampled_from([None, None, None, BIDDER_2, OTHER_2, "project"]),
    "served": st.none() | st.tuples(st.sampled_from([PURCHASER, OTHER_1]), st.integers(-200, 200)),
    "status": st.sampled_from([ExpertStatus.ACTIVE] * 6 + [ExpertStatus.SUSPENDED, ExpertStatus.BLACKLISTED]),
    "until": st.none() | st.integers(-10, 30),
    "term": st.sampled_from(["in", "in", "in", "ended", "not_started"]),
    "unavailable": st.sampled_from([None, None, None, (-2, 1), (0, 0), (4, 9)]),
})

_counter = itertools.count(1)


def _three_years_before(day: dt.date) -> dt.date:
    """GPLR art. 9's "三年内": the same calendar day three years earlier (28 February for 29 February)."""
    return dt.date(day.year - 3, day.month, min(day.day, 28 if day.month == 2 else 31))


def _expected_rules(f: dict, day: dt.date, window: int) -> set[str]:
    """The rules restated from rules.md §3 and recusal.py's docstring, from the generated facts alone."""
    rules: set[str] = set()
    if f["employer"] in PARTIES:
        rules.add(Recusal.EMPLOYER)
    elif f["employer"] == RELATED:
        rules.add(Recusal.RELATED_EMPLOYER)
    if f["former"] and f["former"][0] in PARTIES | {RELATED} \
            and day - dt.timedelta(days=f["former"][1]) >= _three_years_before(day):
        rules.add(Recusal.FORMER_EMPLOYER)
    if f["conflict"] in PARTIES | {"project"}:
        rules.add(Recusal.DECLARED_CONFLICT)
    if f["served"] and f["served"][0] == PURCHASER and abs(f["served"][1]) <= window:
        rules.add(Recusal.SERVED_RECENTLY)
    if f["status"] != ExpertStatus.ACTIVE and (f["until"] is None or f["until"] >= 0):
        rules.add(Recusal.SUSPENDED if f["status"] == ExpertStatus.SUSPENDED else Recusal.BLACKLISTED)
    if f["term"] != "in":
        rules.add(Recusal.OUT_OF_TERM)
    if f["unavailable"] and f["unavailable"][0] <= 0 <= f["unavailable"][1]:
        rules.add(Recusal.UNAVAILABLE)
    return rules


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(pool=st.lists(facts, min_size=4, max_size=24), wanted=st.integers(1, 4))
def test_every_drawn_expert_satisfies_every_recusal_rule(demo, pool: list[dict], wanted: int) -> None:
    n = next(_counter)
    specialty = Specialty.objects.create(code=f"P{n}", name=f"属性测试{n}")  # isolates this example's pool
    project = project_for_draw(name=f"回避属性测试{n}")
    evaluation_at = db_now() + dt.timedelta(days=5)
    day = evaluation_at.astimezone(SHANGHAI).date()
    experts = experts_make(len(pool), specialty=specialty.code)
    CompanyRelation.objects.get_or_create(credit_code_a=BIDDER_1, credit_code_b=RELATED, kind="shareholder")
    for expert, f in zip(experts, pool, strict=True):
        Expert.objects.filter(pk=expert.pk).update(
            employer_credit_code=f["employer"], status=f["status"],
            status_until=day + dt.timedelta(days=f["until"]) if f["until"] is not None else None,
            term_start=day - dt.timedelta(days=400) if f["term"] != "not_started" else day + dt.timedelta(days=1),
            term_end=day + dt.timedelta(days=400) if f["term"] != "ended" else day - dt.timedelta(days=1))
        if f["former"]:
            EmploymentRecord.objects.create(expert=expert, employer_name="前单位", credit_code=f["former"][0],
                                            left_on=day - dt.timedelta(days=f["former"][1]))
        if f["conflict"] == "project":
            DeclaredConflict.objects.create(expert=expert, project=project, reason="亲属参与该项目")
        elif f["conflict"]:
            DeclaredConflict.objects.create(expert=expert, credit_code=f["conflict"], reason="配偶任职")
        if f["served"]:
            ServiceRecord.objects.create(expert=expert, purchaser_credit_code=f["served"][0],
                                         served_on=day + dt.timedelta(days=f["served"][1]))
        if f["unavailable"]:
            UnavailablePeriod.objects.create(expert=expert, starts_on=day + dt.timedelta(days=f["unavailable"][0]),
                                             ends_on=day + dt.timedelta(days=f["unavailable"][1]))
    request = request_make(project, quotas=[(specialty.code, wanted)], backups=2, bidders=[BIDDER_1, BIDDER_2],
                           served_window_days=90)
    from yangguang.experts.models import DrawRequest

    DrawRequest.objects.filter(pk=request.pk).update(purchaser_credit_code=PURCHASER, agency_credit_code=AGENCY,
                                                     evaluation_at=evaluation_at)
    request.refresh_from_db()
    expected = {e.pk: _expected_rules(f, day, 90) for e, f in zip(experts, pool, strict=True)}
    eligible = sorted(pk for pk, rules in expected.items() if not rules)

    computed = pool_compute(request)
    assert list(computed.strata[0].ids) == eligible
    assert {pk: rules for pk, rules in computed.exclusions.items()} == {pk: r for pk, r in expected.items() if r}

    if len(eligible) < wanted:
        with pytest.raises(ValidationFailed):
            draw_run(actor=User.objects.get(username="staff"), request=request)
        return
    draw = draw_run(actor=User.objects.get(username="staff"), request=request)
    drawn = list(DrawSlot.objects.filter(draw=draw).values_list("expert_id", flat=True))
    assert len(drawn) == min(len(eligible), wanted + 2)
    assert all(not expected[pk] for pk in drawn)
