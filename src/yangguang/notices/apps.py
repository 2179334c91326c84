from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "yangguang.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from yangguang.core.chronograph import chronograph_register

        from .models import Notice
        from .services import notice_publicity_close

        # Closes publicity windows whose end has passed and calls the owning workflow's hook.
        chronograph_register("notices.publicity", Notice, notice_publicity_close)  # type: ignore[arg-type]
