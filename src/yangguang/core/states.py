"""The one mechanism behind every workflow's table of allowed moves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum

from django.utils.translation import gettext as _

from .errors import IllegalTransition


class TransitionTable:
    """``moves`` maps a step name to (statuses it may start from, status it leads to)."""

    def __init__(self, moves: Mapping[str, tuple[Iterable[Enum], Enum]]) -> None:
        self.moves = {step: (frozenset(sources), target) for step, (sources, target) in moves.items()}

    def target(self, step: str, current: str) -> str:
        sources, target = self.moves[step]
        if current not in {s.value for s in sources}:
            raise IllegalTransition(
                _("“%(step)s” is not allowed while the status is “%(status)s”.")
                % {"step": _(step), "status": _label(sources, current)}
            )
        return target.value

    def allowed_steps(self, current: str) -> list[str]:
        return [step for step, (sources, _t) in self.moves.items() if current in {s.value for s in sources}]


def _label(sources: Iterable[Enum], value: str) -> str:
    for status in sources:
        enum_type = type(status)
        try:
            return str(enum_type(value).label)  # type: ignore[attr-defined]
        except ValueError:
            break
    return value
