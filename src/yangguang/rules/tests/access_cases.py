"""The rule set page is public; confirming a rule is for platform administrators (302 back to the list
whether or not the step succeeds; anonymous users go to sign in)."""

from __future__ import annotations

from typing import Any

from yangguang.accounts.states import Role


def cases(ctx: dict[str, Any]) -> list[tuple]:
    confirm = {role: 403 for role in Role.values}
    confirm.update({Role.PLATFORM_ADMIN.value: 302, "anonymous": 302})
    return [
        ("GET", "/rules/", {"*": 200}),
        ("GET", "/rules/?domain=工程&status=unconfirmed&q=G-0", {"*": 200}),
        ("POST", "/rules/L-002/confirm/", confirm),
    ]
