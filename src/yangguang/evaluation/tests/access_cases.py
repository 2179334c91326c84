from __future__ import annotations

from typing import Any


def cases(ctx: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:
    return []
