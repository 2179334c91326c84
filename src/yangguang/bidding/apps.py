from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    name = "yangguang.bidding"
    label = "bidding"
    verbose_name = _("Bidding")

    def ready(self) -> None:
        from yangguang.core.chronograph import chronograph_register
        from yangguang.tendering.hooks import on_publish

        from .models import Opening, OpeningKey
        from .services import opening_check_due, opening_key_check_due, opening_key_setup

        # Publishing a procedure creates its opening key (the key exists before any bid is sealed).
        on_publish(opening_key_setup)

        # The bid deadline (after tendering closed bidding): closing head, count, openings or failure.
        chronograph_register("bidding.opening_key", OpeningKey, opening_key_check_due)  # type: ignore[arg-type]
        # The end of each lot's decryption window.
        chronograph_register("bidding.opening", Opening, opening_check_due)  # type: ignore[arg-type]
