from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "yangguang.projects"
    label = "projects"
    verbose_name = _("Project intake")

    def ready(self) -> None:
        from yangguang.core.chronograph import chronograph_register

        from .models import ExemptionRequest
        from .reports import exemption_report_check

        # Post-trade reports: reminders before the due date, overdue → violation (reports.py).
        chronograph_register("projects.exemption_report", ExemptionRequest, exemption_report_check)  # type: ignore[arg-type]
