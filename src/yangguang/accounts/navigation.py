"""Navigation: every app lists its pages in its own ``navigation.py`` as ``ITEMS``; the workbench and the
top bar show a user the items of their role. Nothing is reachable only by typing a URL."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .states import Role

ALL_ROLES = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: object
    roles: frozenset[str] = field(default_factory=lambda: ALL_ROLES)
    description: object = ""
    icon: str = "•"

    @property
    def url(self) -> str:
        return reverse(self.url_name)


ITEMS = [
    NavItem("accounts:workbench", _("Workbench"), ALL_ROLES, _("Your tasks and pages"), "⌂"),
    NavItem("accounts:profile", _("My account"), ALL_ROLES, _("Your organisation, role and password"), "☺"),
    NavItem("accounts:organisations", _("Organisations and people"),
            frozenset({Role.PLATFORM_ADMIN, Role.CENTRE_STAFF, Role.COMMITTEE_OFFICE}),
            _("Centres, departments, purchasers and their users"), "☷"),
]


def items_for(role: str) -> list[NavItem]:
    found: list[NavItem] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("yangguang."):
            continue
        try:
            module = import_module(f"{config.name}.navigation")
        except ModuleNotFoundError:
            continue
        found.extend(item for item in getattr(module, "ITEMS", []) if role in item.roles)
    return found
