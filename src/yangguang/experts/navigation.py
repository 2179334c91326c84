from django.utils.translation import gettext_lazy as _

from yangguang.accounts.navigation import NavItem
from yangguang.accounts.states import Role

from .access import DRAW_READERS, POOL_READERS

ITEMS = [
    NavItem("experts:mine", _("My expert page"), frozenset({Role.EXPERT}),
            _("Your invitations to evaluations, your record and history"), "✉"),
    NavItem("experts:pool", _("Expert pool"), POOL_READERS,
            _("Review applications, search, import and export the expert pool"), "☷"),
    NavItem("experts:draws", _("Expert draws"), DRAW_READERS,
            _("Draw requests, sealed draws, release, attendance and ratings"), "⚄"),
    NavItem("experts:audits", _("Published expert draws"), frozenset(Role.values),
            _("Audit packages anyone can verify with yangguang verify-draw"), "✓"),
]
