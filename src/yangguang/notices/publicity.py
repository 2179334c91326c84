"""Hooks for the end of a publicity window.

A workflow that publishes a notice with a publicity period (candidate publicity, single-source publicity,
asset disclosure …) names itself in ``owner`` (e.g. ``"tendering.procedure:42"``) and registers a handler
for the owner prefix at start-up::

    @publicity_closed_handler("tendering.procedure")
    def candidates_publicity_over(notice: Notice) -> None: ...

When the chronograph closes the window it calls the handler of the longest registered prefix that the
notice's owner starts with, inside the same transaction as the close: if the handler fails, the close is
rolled back and retried on the next tick, so a handler runs once per successful close.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Notice

Handler = Callable[["Notice"], None]
_handlers: dict[str, Handler] = {}


def publicity_closed_handler(owner_prefix: str) -> Callable[[Handler], Handler]:
    if not owner_prefix:
        raise ValueError("an owner prefix is required")

    def register(handler: Handler) -> Handler:
        _handlers[owner_prefix] = handler
        return handler

    return register


def handler_for(owner: str) -> Handler | None:
    best = ""
    for prefix in _handlers:
        if (owner == prefix or owner.startswith((prefix + ":", prefix + "."))) and len(prefix) > len(best):
            best = prefix
    return _handlers.get(best) if best else None


def publicity_handler_unregister(owner_prefix: str) -> None:
    _handlers.pop(owner_prefix, None)
