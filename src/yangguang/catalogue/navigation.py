from django.utils.translation import gettext_lazy as _

from yangguang.accounts.navigation import NavItem

from .access import EDIT_ROLES, READ_ROLES

ITEMS = [
    NavItem("catalogue:version_list", _("Trading catalogue"), frozenset(READ_ROLES | EDIT_ROLES),
            _("Categories, types and items that must be traded on the platform, with thresholds"), "☰"),
]
