from django.utils.translation import gettext_lazy as _

from yangguang.accounts.navigation import NavItem
from yangguang.accounts.states import Role

from .access import READER_ROLES

ITEMS = [
    NavItem("suppliers:mine", _("My supplier registration"), frozenset({Role.SUPPLIER}),
            _("Status, review outcome and qualifications of your company"), "✎"),
    NavItem("suppliers:pool", _("Supplier pool"), READER_ROLES,
            _("Review supplier registrations and search the pool"), "☰"),
    NavItem("suppliers:blacklist", _("Supplier blacklist"), READER_ROLES,
            _("Blacklisted suppliers and their periods"), "⚑"),
]
