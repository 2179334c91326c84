"""How a drawn expert is told about an invitation. Pluggable: ``settings.YANGGUANG_EXPERT_CHANNELS`` lists
dotted class paths (default: e-mail). The on-screen queue needs no channel: the expert's own page lists
their open invitations straight from the database.

SMS and voice gateways differ per province and vendor; their classes here define the interface and refuse
to run until a deployment subclasses them with its gateway's client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import DrawSlot

DEFAULT_CHANNELS = ["yangguang.experts.channels.EmailChannel"]


class Channel:
    """One way of reaching an expert. ``send`` runs after the invitation is committed; it must not raise for
    an unreachable expert (the answer deadline and the backups take care of that)."""

    name = "base"

    def send(self, invitation: DrawSlot) -> bool:
        raise NotImplementedError


class EmailChannel(Channel):
    """E-mail through Django's mail backend. The message names no project and no other expert: it asks the
    expert to sign in and answer, so a forwarded mail leaks nothing about the committee."""

    name = "email"

    def send(self, invitation: DrawSlot) -> bool:
        expert = invitation.expert
        if not expert.email:
            return False
        subject = _("Yangguang: you have been drawn as an evaluation expert")
        body = _("You have been drawn for an evaluation on %(day)s. Sign in to the platform and accept or "
                 "decline before %(deadline)s. Do not tell anyone about this invitation.") % {
            "day": f"{invitation.draw.request.evaluation_at:%Y-%m-%d}",
            "deadline": f"{invitation.respond_by:%Y-%m-%d %H:%M}" if invitation.respond_by else "—",
        }
        return send_mail(subject, body, None, [expert.email], fail_silently=True) > 0


class SmsGatewayChannel(Channel):
    """Interface for an SMS gateway: a deployment subclasses this with its gateway's client."""

    name = "sms"

    def send(self, invitation: DrawSlot) -> bool:
        raise NotImplementedError(
            "No SMS gateway is configured: subclass yangguang.experts.channels.SmsGatewayChannel with your "
            "gateway's client and list it in settings.YANGGUANG_EXPERT_CHANNELS.")


class VoiceCallChannel(Channel):
    """Interface for an automatic voice-call system (experts confirm by keypad), as most centres use."""

    name = "voice"

    def send(self, invitation: DrawSlot) -> bool:
        raise NotImplementedError(
            "No voice-call system is configured: subclass yangguang.experts.channels.VoiceCallChannel with "
            "your system's client and list it in settings.YANGGUANG_EXPERT_CHANNELS.")


def channels_configured() -> list[Channel]:
    paths = getattr(settings, "YANGGUANG_EXPERT_CHANNELS", DEFAULT_CHANNELS)
    return [import_string(path)() for path in paths]


def invitation_notify(invitation: DrawSlot) -> None:
    for channel in channels_configured():
        channel.send(invitation)
