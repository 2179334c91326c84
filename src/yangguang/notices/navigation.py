from django.utils.translation import gettext_lazy as _

from yangguang.accounts.navigation import NavItem

from .access import PUBLISHER_ROLES

ITEMS = [
    NavItem("notices:mine", _("Notices"), frozenset(PUBLISHER_ROLES),
            _("Notices you published: correct or withdraw them"), "▦"),
    NavItem("notices:publish", _("Publish a notice"), frozenset(PUBLISHER_ROLES),
            _("Any notice type with its mandatory facts and attachments"), "+"),
]
