from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenderingConfig(AppConfig):
    name = "yangguang.tendering"
    label = "tendering"
    verbose_name = _("Tendering")
