from django.utils.translation import gettext_lazy as _

from yangguang.accounts.navigation import NavItem
from yangguang.accounts.states import Role

from .access import READER_ROLES

ITEMS = [
    NavItem("evaluation:index", _("Evaluations"), frozenset({*READER_ROLES, Role.SUPPLIER}),
            _("Evaluation rooms, scoring, reports, results, award and contract"), "⚖"),
]
