from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenderingConfig(AppConfig):
    name = "yangguang.tendering"
    label = "tendering"
    verbose_name = _("Tendering")

    def ready(self) -> None:
        from yangguang.core.chronograph import chronograph_register

        from .models import Procedure
        from .services import procedure_check_due, procedures_check_due

        # Notice period over, document period over, bid deadline → ready for opening or failed. The batch
        # handler claims many due procedures per transaction so a backlog of 100,000 is caught up in a minute.
        chronograph_register("tendering.procedure", Procedure, procedure_check_due,  # type: ignore[arg-type]
                             batch_handler=procedures_check_due)
