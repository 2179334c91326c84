from django.utils.translation import gettext_lazy as _

from yangguang.accounts.access import SUPERVISORY_ROLES
from yangguang.accounts.navigation import NavItem
from yangguang.accounts.states import Role

ITEMS = [
    NavItem("tendering:list", _("Procedures"),
            frozenset({Role.PURCHASER, Role.AGENCY, Role.SUPPLIER, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN,
                       *SUPERVISORY_ROLES}),
            _("Tender and procurement procedures up to the bid deadline"), "⚑"),
    NavItem("tendering:build", _("Build a procedure"), frozenset({Role.PURCHASER, Role.AGENCY}),
            _("Lots, documents, criteria and timeline of a new procedure on an accepted project"), "✎"),
    NavItem("tendering:methods", _("Procedure methods"),
            frozenset({Role.PURCHASER, Role.AGENCY, Role.SUPPLIER, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN,
                       *SUPERVISORY_ROLES, Role.EXPERT}),
            _("Each method's legal minimum periods and bidder numbers, with their sources"), "§"),
]
