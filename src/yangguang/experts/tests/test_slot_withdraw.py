"""An expert who withdraws at the evaluation (a declared conflict) is replaced by the next backup at once."""

from __future__ import annotations

import pytest

from yangguang.accounts.models import User
from yangguang.core.errors import IllegalTransition
from yangguang.core.models import Event
from yangguang.experts.models import DrawSlot, ServiceRecord
from yangguang.experts.services import draw_run, invitation_respond, slot_withdraw
from yangguang.experts.states import SlotRole, SlotState

from .factories import draw_released, experts_make, request_make, specialties_make
from .test_draw import _link_users

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(demo):
    specialties_make()
    experts_make(30)
    request = request_make(quotas=(("A01", 2),), backups=1)
    draw = draw_run(actor=User.objects.get(username="staff"), request=request)
    _link_users(draw)
    for slot in DrawSlot.objects.filter(draw=draw, role=SlotRole.PRIMARY).select_related("expert__user"):
        invitation_respond(actor=slot.expert.user, slot=slot, accept=True)
    return draw_released(request)


def test_withdrawal_seats_the_next_backup_and_then_marks_the_draw_short(seated) -> None:
    staff = User.objects.get(username="staff")
    first, second = DrawSlot.objects.filter(draw=seated, state=SlotState.ACCEPTED).order_by("rank")[:2]
    backup = slot_withdraw(actor=staff, slot=first, reason="conflict with bidder T2")
    assert backup is not None and backup.state == SlotState.ACCEPTED and backup.role == SlotRole.BACKUP
    first.refresh_from_db()
    assert first.state == SlotState.DECLINED and first.decline_reason == "conflict with bidder T2"
    assert ServiceRecord.objects.filter(slot=backup).exists()
    assert Event.objects.filter(action="experts.slot.called_up", object_id=str(backup.pk)).exists()
    # The one backup is used: the next withdrawal leaves the stratum short.
    assert slot_withdraw(actor=staff, slot=second, reason="ill") is None
    seated.refresh_from_db()
    assert seated.short
    with pytest.raises(IllegalTransition):
        slot_withdraw(actor=staff, slot=first, reason="again")
