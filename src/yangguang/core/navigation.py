from django.utils.translation import gettext_lazy as _

from yangguang.accounts.navigation import ALL_ROLES, PLATFORM_GROUP, NavItem
from yangguang.accounts.states import Role

GROUP = PLATFORM_GROUP
ITEMS = [
    NavItem("core:calendar", _("Holiday calendar"), frozenset({Role.PLATFORM_ADMIN}),
            _("Enter each year's State Council holiday notice"), "📅"),
    NavItem("core:log", _("Public log"), ALL_ROLES, _("The signed, verifiable event log"), "⛓"),
]
