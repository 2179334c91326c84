from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    name = "yangguang.bidding"
    label = "bidding"
    verbose_name = _("Bidding")
