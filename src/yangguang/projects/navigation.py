from django.utils.translation import gettext_lazy as _

from yangguang.accounts.access import SUPERVISORY_ROLES
from yangguang.accounts.navigation import NavItem
from yangguang.accounts.states import Role

from .musttrade_access import CASE_ROLES, FUNDING_ROLES, IMPORT_ROLES

GROUP = _("Projects")
MUST_TRADE = _("Must-trade")

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
    NavItem("projects:exemptions", _("Exemptions"),
            frozenset({Role.PURCHASER, Role.AGENCY, Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES}),
            _("Requests to trade outside the platform, their approvals and post-trade reports"), "⚖", group=MUST_TRADE),
    NavItem("projects:reports", _("Post-trade reports"),
            frozenset({Role.CENTRE_STAFF, Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES}),
            _("Exempt projects' trade results: review, publish, archive"), "▦", group=MUST_TRADE),
    NavItem("projects:bulletins", _("Bulletins"), frozenset({Role.PLATFORM_ADMIN, *SUPERVISORY_ROLES}),
            _("Periodic bulletins of exempt projects' results to the member units"), "▧", group=MUST_TRADE),
    NavItem("projects:investigations", _("Investigations"), CASE_ROLES,
            _("Cases opened by anomalies in reported results"), "⚲", group=MUST_TRADE),
    NavItem("projects:violations", _("Violations"), CASE_ROLES,
            _("Must-trade violations with their evidence; referrals to discipline inspection"), "⚠", group=MUST_TRADE),
    NavItem("projects:imports", _("Project lists"), IMPORT_ROLES,
            _("Import departments' project lists and find projects that escaped the platform"), "⇪", group=MUST_TRADE),
    NavItem("projects:funding", _("Funding check"), FUNDING_ROLES,
            _("May project funds be paid? Traded, exempted, pending or denied"), "¥", group=MUST_TRADE),
    NavItem("accounts:apikeys", _("API keys"), frozenset({Role.PLATFORM_ADMIN}),
            _("Keys for finance and department systems: issue and revoke"), "⚿", group=MUST_TRADE),
]
