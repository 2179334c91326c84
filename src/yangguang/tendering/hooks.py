"""Extension points for the apps above tendering (bidding, evaluation), which tendering must not import.

- ``publish_check(fn)``: ``fn(procedure) -> list[RuleFinding | None]`` runs in the publish checks; it raises
  ``ValidationFailed`` (through ``rule_check``) to refuse, or returns warnings of unconfirmed rules.
- ``on_publish(fn)``: ``fn(*, actor, procedure)`` runs inside the publish transaction, after the notice and
  before the publish event (the bidding app creates the tender's opening key there).

Apps register in ``AppConfig.ready``; registering the same function twice is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PublishCheck = Callable[[Any], list[Any]]
OnPublish = Callable[..., object]

_publish_checks: list[PublishCheck] = []
_on_publish: list[OnPublish] = []


def publish_check(fn: PublishCheck) -> PublishCheck:
    if fn not in _publish_checks:
        _publish_checks.append(fn)
    return fn


def on_publish(fn: OnPublish) -> OnPublish:
    if fn not in _on_publish:
        _on_publish.append(fn)
    return fn


def run_publish_checks(procedure: Any) -> list[Any]:
    return [finding for check in _publish_checks for finding in check(procedure)]


def run_on_publish(*, actor: Any, procedure: Any) -> None:
    for fn in _on_publish:
        fn(actor=actor, procedure=procedure)
