from django.utils.translation import gettext_lazy as _

from yangguang.accounts.access import SUPERVISORY_ROLES
from yangguang.accounts.navigation import NavItem
from yangguang.accounts.states import Role

ITEMS = [
    NavItem("projects:mine", _("My projects"), frozenset({Role.PURCHASER, Role.AGENCY}),
            _("Projects you registered, their documents and intake status"), "▤"),
    NavItem("projects:register", _("Register a project"), frozenset({Role.PURCHASER, Role.AGENCY}),
            _("Enter a new project for intake by the trading centre"), "+"),
    NavItem("projects:queue", _("Intake queue"), frozenset({Role.CENTRE_STAFF}),
            _("Projects submitted to your centre, to accept or return"), "▥"),
    NavItem("projects:overview", _("Projects overview"),
            frozenset({*SUPERVISORY_ROLES, Role.PLATFORM_ADMIN, Role.CENTRE_STAFF}),
            _("All projects you may see, by status and category"), "☰"),
]
