from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_rules(sender: object, **kwargs: object) -> None:
    from .services import rules_load

    rules_load()


class RulesConfig(AppConfig):
    name = "yangguang.rules"
    label = "rules"
    verbose_name = _("Rule set")

    def ready(self) -> None:
        # The rule set ships with the code: every migrate (and every test database) loads it, keeping
        # administrators' confirmations.
        post_migrate.connect(_load_rules, sender=self, dispatch_uid="yangguang.rules.load")
