from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "yangguang.experts"
    label = "experts"
    verbose_name = _("Experts")

    def ready(self) -> None:
        from yangguang.core.chronograph import chronograph_register

        from .models import DrawSlot, Expert
        from .services import expert_check_due, invitation_check_due

        # Unanswered invitations time out and call the next backup; sanctions end on their last day.
        chronograph_register("experts.invitation", DrawSlot, invitation_check_due)  # type: ignore[arg-type]
        chronograph_register("experts.sanction", Expert, expert_check_due)  # type: ignore[arg-type]
