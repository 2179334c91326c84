"""The top bar groups each role's pages: nothing lost, nothing twice, and short enough to read."""

from __future__ import annotations

import pytest

from yangguang.accounts.navigation import PLATFORM_GROUP, groups_for, items_for
from yangguang.accounts.states import Role


@pytest.mark.parametrize("role", Role.values)
def test_groups_hold_every_page_of_the_role_once(role: str) -> None:
    grouped = [item.url_name for group in groups_for(role) for item in group.items]
    assert sorted(grouped) == sorted(item.url_name for item in items_for(role))
    assert len(grouped) == len(set(grouped))


def test_many_pages_become_few_entries_with_the_platform_group_last() -> None:
    groups = groups_for(Role.CENTRE_STAFF)
    assert len(items_for(Role.CENTRE_STAFF)) > 20
    assert len(groups) <= 16
    assert str(groups[-1].label) == str(PLATFORM_GROUP)
    assert groups[0].single is not None and groups[0].single.url_name == "accounts:workbench"


def test_the_top_bar_renders_groups_as_menus(client, demo, user_of) -> None:
    client.force_login(user_of(Role.CENTRE_STAFF))
    html = client.get("/accounts/workbench/").content.decode()
    assert html.count('<details class="navgroup">') >= 5
    assert 'href="/projects/exemptions/"' in html
