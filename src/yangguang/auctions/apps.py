from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuctionsConfig(AppConfig):
    name = "yangguang.auctions"
    label = "auctions"
    verbose_name = _("Auctions")

    def ready(self) -> None:
        from yangguang.core.chronograph import chronograph_register

        from .models import Lot
        from .services import lot_check_due

        # Opens sales, moves a listing to its timed session or closes it, closes a timed session.
        chronograph_register("auctions.lot", Lot, lot_check_due)  # type: ignore[arg-type]
