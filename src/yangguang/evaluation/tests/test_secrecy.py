"""The secrets of the evaluation, tried as every role and on every endpoint that could leak them:

* a member's scores before that member submits — not the staff, the chair, the other members, the buyer,
  the supervisors or the administrator (API scores and overview, the room, the scoring screen, the log);
* a bidder's revised quote before its round closes — nobody but that bidder.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from yangguang.accounts.models import User
from yangguang.accounts.states import Role
from yangguang.core.errors import IllegalTransition
from yangguang.core.models import Event
from yangguang.tendering.services.procedures import invitations_set, procedure_publish
from yangguang.tendering.tests.factories import accepted_project, organisation_of, procedure_draft

from .. import services
from ..models import Score
from . import factories as f

pytestmark = pytest.mark.django_db

SECRET_TECH, SECRET_TEAM = "17.37", "7.13"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _everyone(user_of, evaluation, but=()):
    """Every demo role, every member of the committee, every bidder — except ``but``."""
    users = [user_of(role) for role in Role.values]
    users += [m.user for m in evaluation.members.all() if m.user_id]
    users += list(User.objects.filter(organisation_id__in=evaluation.tenderers.values("organisation_id")))
    return [u for u in users if u is not None and u.pk not in {b.pk for b in but}]


def _leaks(client: Client, evaluation, needles) -> list[str]:
    pk = evaluation.pk
    found = []
    for url in (f"/api/v1/evaluation/{pk}/scores", f"/api/v1/evaluation/{pk}", f"/evaluation/{pk}/",
                f"/evaluation/{pk}/score/", f"/evaluation/{pk}/result/", "/api/v1/evaluation/"):
        body = client.get(url).content.decode()
        found += [f"{url}: {n}" for n in needles if n in body]
    return found


def test_nobody_sees_a_members_scores_before_that_member_submits(demo, user_of):
    evaluation = f.reviewed(f.started())
    members = f.members(evaluation)
    secret_member, others = members[1], [m for m in members if m.pk != members[1].pk]
    chair = next(m for m in members if m.is_chair)
    assert chair.pk != secret_member.pk
    # Everybody else has submitted; the secret member has only a draft with recognisable values.
    f.score_all(evaluation, submit=False)
    rows = [(t.pk, code, value) for t in evaluation.tenderers.filter(qualified=True)
            for code, value in zip([c["code"] for c in services.subjective_criteria(evaluation)],
                                   (SECRET_TECH, SECRET_TEAM), strict=True)]
    services.score_save(actor=secret_member.user, evaluation=evaluation, scores=rows)
    for m in others:
        services.scores_submit(actor=m.user, evaluation=evaluation)
    leaks = []
    for user in _everyone(user_of, evaluation, but=[secret_member.user]):
        client = _client(user)
        leaks += [f"{user.username}: {line}" for line in _leaks(client, evaluation, (SECRET_TECH, SECRET_TEAM))]
        data = client.get(f"/api/v1/evaluation/{evaluation.pk}/scores")
        if data.status_code == 200:
            assert all(row["member_id"] != secret_member.pk for row in data.json()), user.username
    assert not leaks, "\n".join(leaks)
    # Nor the public log.
    assert not Event.objects.filter(payload__contains=SECRET_TECH).exists()
    # The member sees their own draft.
    own = _client(secret_member.user).get(f"/evaluation/{evaluation.pk}/score/").content.decode()
    assert SECRET_TECH in own
    # Once submitted, the organisers read the sheet.
    services.scores_submit(actor=secret_member.user, evaluation=evaluation)
    rows_seen = _client(f.staff()).get(f"/api/v1/evaluation/{evaluation.pk}/scores").json()
    assert {Decimal(r["points"]) for r in rows_seen if r["member_id"] == secret_member.pk} == {
        Decimal(SECRET_TECH), Decimal(SECRET_TEAM)}
    assert Score.objects.filter(member=secret_member, submitted_at__isnull=False).count() == len(rows)


def _negotiation():
    """A competitive negotiation (竞争性谈判) among three invited suppliers, bids in, committee of three."""
    project = accepted_project(category="government_procurement", budget="800000.00")
    from yangguang.tendering import services as tendering

    procedure = procedure_draft(project, method="procurement_negotiation", title="物业服务竞争性谈判",
                                evaluation_method="lowest_quote", evaluation_criteria=[], document_days=None,
                                bid_days=3, lots=[tendering.LotData("物业服务", "800000.00", "800000.00", "0")])
    users = f.bidders(3)
    invitations_set(actor=User.objects.get(username="agency"), procedure=procedure,
                    organisations=[organisation_of(u) for u in users])
    procedure, _findings = procedure_publish(actor=User.objects.get(username="agency"), procedure=procedure)
    lot = procedure.lots.get()
    rows = f.bids_for(lot, users, ["780000", "760000", "790000"], securities=False)
    f.bids_closed(procedure)
    evaluation = services.evaluation_open(actor=f.staff(), lot=lot, bids=rows)
    f.seated(evaluation, experts=3)
    evaluation = services.evaluation_start(actor=f.staff(), evaluation=f.ready(evaluation))
    return evaluation, users


def test_revised_quotes_are_sealed_until_the_round_closes(demo, user_of):
    evaluation, users = _negotiation()
    rnd = services.round_open(actor=f.staff(), evaluation=evaluation, minutes=30, note="请报最终报价")
    services.quote_submit(actor=users[0], round=rnd, price="743210.55")
    services.quote_submit(actor=users[1], round=rnd, price="751111.00")
    leaks = []
    for user in _everyone(user_of, evaluation, but=[users[0]]):
        client = _client(user)
        for url in (f"/api/v1/evaluation/rounds/{rnd.pk}/quotes", f"/evaluation/{evaluation.pk}/",
                    f"/evaluation/{evaluation.pk}/result/", f"/api/v1/evaluation/{evaluation.pk}"):
            body = client.get(url).content.decode()
            if "743210" in body:
                leaks.append(f"{user.username} {url}")
    assert not leaks, leaks
    assert not Event.objects.filter(payload__contains="743210").exists()
    own = _client(users[0]).get(f"/api/v1/evaluation/rounds/{rnd.pk}/quotes").json()
    assert [Decimal(q["price"]) for q in own] == [Decimal("743210.55")]
    # Not closable early while a bidder has not quoted; a late quote is refused after the close.
    with pytest.raises(IllegalTransition):
        services.round_close(actor=f.staff(), round=rnd)
    services.quote_submit(actor=users[2], round=rnd, price="788000")
    services.round_close(actor=f.staff(), round=rnd)
    with pytest.raises(IllegalTransition):
        services.quote_submit(actor=users[0], round=rnd, price="700000")
    seen = _client(f.staff()).get(f"/api/v1/evaluation/rounds/{rnd.pk}/quotes").json()
    assert len(seen) == 3
    t1 = evaluation.tenderers.get(ref="T1")
    assert t1.effective_price == Decimal("743210.55")
