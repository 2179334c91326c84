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
    # The top-bar group, when it is not the app's (an app with two distinct areas names the second).
    group: object = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


PLATFORM_GROUP = _("Platform")
# The workbench and the account page stand alone in the top bar; the organisations page too.
GROUP = None
ITEMS = [
    NavItem("accounts:workbench", _("Workbench"), ALL_ROLES, _("Your tasks and pages"), "⌂"),
    NavItem("accounts:profile", _("My account"), ALL_ROLES, _("Your organisation, role and password"), "☺"),
    NavItem("accounts:organisations", _("Organisations and people"),
            frozenset({Role.PLATFORM_ADMIN, Role.CENTRE_STAFF, Role.COMMITTEE_OFFICE}),
            _("Centres, departments, purchasers and their users"), "☷"),
]


@dataclass(frozen=True)
class NavGroup:
    """One entry of the top bar: a single page, or an app's pages under its name (a drop-down)."""

    label: object
    items: tuple[NavItem, ...]

    @property
    def single(self) -> NavItem | None:
        return self.items[0] if len(self.items) == 1 else None


def _modules() -> list[tuple[object, object]]:
    """(group label, navigation module) of every app that has one; ``GROUP = None`` keeps items ungrouped."""
    found: list[tuple[object, object]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("yangguang."):
            continue
        try:
            module = import_module(f"{config.name}.navigation")
        except ModuleNotFoundError:
            continue
        found.append((getattr(module, "GROUP", config.verbose_name), module))
    return found


def items_for(role: str) -> list[NavItem]:
    return [item for _label, module in _modules() for item in getattr(module, "ITEMS", []) if role in item.roles]


def groups_for(role: str) -> list[NavGroup]:
    """The top bar: each app's pages grouped under the app's name (apps naming the same ``GROUP`` share
    one), so a role with many pages sees a dozen entries rather than thirty links. The platform group (the
    public log, the rule set, the calendar) comes last."""
    single: list[NavGroup] = []
    grouped: dict[str, tuple[object, list[NavItem]]] = {}
    for label, module in _modules():
        items = [item for item in getattr(module, "ITEMS", []) if role in item.roles]
        if label is None:
            single.extend(NavGroup(item.label, (item,)) for item in items)
            continue
        for item in items:
            own = item.group if item.group is not None else label
            grouped.setdefault(str(own), (own, []))[1].append(item)
    platform = str(PLATFORM_GROUP)
    ordered = sorted(grouped.values(), key=lambda entry: str(entry[0]) == platform)
    return single + [NavGroup(label, tuple(items)) for label, items in ordered]
