from django.utils.translation import gettext_lazy as _

from yangguang.accounts.access import SUPERVISORY_ROLES
from yangguang.accounts.navigation import NavItem
from yangguang.accounts.states import Role

ITEMS = [
    NavItem("bidding:index", _("Sealed bids and openings"),
            frozenset({Role.PURCHASER, Role.AGENCY, Role.SUPPLIER, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN,
                       *SUPERVISORY_ROLES}),
            _("Seal and submit bids, receipts, opening-key shares and the remote opening hall"), "🔒"),
]
