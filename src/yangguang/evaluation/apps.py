from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "yangguang.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from yangguang.core.chronograph import chronograph_register
        from yangguang.notices.publicity import publicity_closed_handler
        from yangguang.projects.funding import trade_status_sql_provider
        from yangguang.tendering.hooks import publish_check

        from .models import Evaluation
        from .publishing import evaluation_config_checks
        from .services import OWNER_PREFIX, publicity_closed
        from .timers import evaluation_tick
        from .trade import trade_status_sql

        publicity_closed_handler(OWNER_PREFIX)(publicity_closed)
        trade_status_sql_provider(trade_status_sql)
        # A weight outside its legal range cannot be published.
        publish_check(evaluation_config_checks)
        # The legal deadlines after the report: deemed award, publication, contract (see timers.py).
        chronograph_register("evaluation.timers", Evaluation, evaluation_tick)
