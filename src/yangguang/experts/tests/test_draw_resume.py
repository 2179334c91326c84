"""A draw interrupted after its commitment resumes from it (never re-draws), and the beacon is the event
right after the commitment even when someone else wrote it."""

from __future__ import annotations

import pytest
from django.db import transaction

from yangguang.accounts.models import User
from yangguang.core.errors import IllegalTransition
from yangguang.core.eventlog import event_append
from yangguang.core.models import Event
from yangguang.experts import algorithm, services
from yangguang.experts.models import Draw, DrawSlot
from yangguang.experts.states import DrawStatus, SlotState

from .factories import experts_make, request_make, specialties_make


@pytest.fixture
def pool(demo):
    specialties_make()
    return experts_make(12, specialty="A01")


def _staff() -> User:
    return User.objects.get(username="staff")


def _interrupted(monkeypatch, request) -> Draw:
    """Run the draw with the ranking failing: the commitment stays, nothing after it."""
    real = algorithm.rank

    def broken(*_args, **_kwargs):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(services.algorithm, "rank", broken)
    with pytest.raises(RuntimeError):
        services.draw_run(actor=_staff(), request=request)
    monkeypatch.setattr(services.algorithm, "rank", real)
    draw = Draw.objects.get(request=request)
    assert draw.beacon_seq is None and not DrawSlot.objects.filter(draw=draw).exists()
    request.refresh_from_db()
    assert request.status == DrawStatus.DRAWN
    return draw


def test_an_interrupted_draw_resumes_from_its_commitment(pool, monkeypatch) -> None:
    request = request_make(quotas=[("A01", 3)], backups=1)
    committed = _interrupted(monkeypatch, request)
    draw = services.draw_run(actor=_staff(), request=request)
    assert draw.pk == committed.pk
    assert (draw.seed_commitment, draw.pool_hash, draw.commit_seq) == (
        committed.seed_commitment, committed.pool_hash, committed.commit_seq)
    assert draw.beacon_seq == draw.commit_seq + 1
    assert Event.objects.get(seq=draw.beacon_seq).action == "experts.draw.drawn"
    assert DrawSlot.objects.filter(draw=draw, state=SlotState.INVITED).count() == 3
    # A finished draw is not run again.
    with pytest.raises(IllegalTransition):
        services.draw_run(actor=_staff(), request=request)
    assert DrawSlot.objects.filter(draw=draw).count() == 4


def test_the_beacon_is_the_next_event_whoever_wrote_it(pool, monkeypatch) -> None:
    request = request_make(quotas=[("A01", 3)], backups=1)
    committed = _interrupted(monkeypatch, request)
    with transaction.atomic():
        other = event_append(action="core.test.other", actor="system", object_type="test", object_id="1")
    assert other.seq == committed.commit_seq + 1
    draw = services.draw_run(actor=_staff(), request=request)
    assert draw.beacon_seq == other.seq and draw.beacon_value == other.chain_hash
    drawn = Event.objects.get(action="experts.draw.drawn", object_id=str(draw.pk))
    assert drawn.seq > draw.beacon_seq
    seed = algorithm.seed_derive(request=request.pk, secret=bytes.fromhex(draw.secret), pool_hash=draw.pool_hash,
                                 beacon=other.chain_hash)
    ranking = algorithm.rank(seed, algorithm.strata_from_snapshot(draw.snapshot))
    seated = list(DrawSlot.objects.filter(draw=draw).order_by("rank").values_list("expert_id", flat=True))
    assert seated == list(ranking[0])
    # Invitation times are the database clock of the draw.
    first = DrawSlot.objects.filter(draw=draw, state=SlotState.INVITED).first()
    assert first is not None and first.invited_at == drawn.created_at == draw.drawn_at
