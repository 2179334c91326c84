from django.utils.translation import gettext_lazy as _

from yangguang.accounts.navigation import NavItem
from yangguang.accounts.states import Role

from .access import MANAGER_ROLES, READER_ROLES

ITEMS = [
    NavItem("auctions:list", _("Auctions and listings"), frozenset({*READER_ROLES, Role.SUPPLIER}),
            _("Land listings, auctions, asset transfers and reverse auctions; live rooms"), "⚖"),
    NavItem("auctions:mine", _("My auction applications"), frozenset({Role.SUPPLIER}),
            _("Your applications, deposit references and bidding numbers"), "✋"),
    NavItem("auctions:new", _("Prepare a lot"), MANAGER_ROLES,
            _("A land parcel, an asset or a reverse auction, with its prices and periods"), "＋"),
]
