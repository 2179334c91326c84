from django.utils.translation import gettext_lazy as _

from yangguang.accounts.navigation import PLATFORM_GROUP, NavItem
from yangguang.accounts.states import Role

GROUP = PLATFORM_GROUP
ITEMS = [
    NavItem("rules:list", _("Rule set"), frozenset(Role.values),
            _("Legal time limits and thresholds the platform checks, with their sources"), "§"),
]
