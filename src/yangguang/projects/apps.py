from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Config(AppConfig):
    name = "yangguang.projects"
    label = "projects"
    verbose_name = _("Project intake")
