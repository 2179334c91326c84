"""``yangguang verify-draw <package.json>``: recompute a published expert draw and print its experts in order.

Exit 0 when everything matches; otherwise exit 1 and say where the package differs from the recomputation.
With the platform's database available the commitment and beacon are also checked against the event log;
``--offline`` skips that (for a package checked away from the platform)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yangguang.experts.verify import verify_package


def _log_lookup(seq: int) -> tuple[str, dict[str, Any], str] | None:
    from yangguang.core.models import Event

    event = Event.objects.filter(seq=seq).first()
    if event is None:
        return None
    return event.action, dict(event.payload or {}), event.chain_hash


class Command(BaseCommand):
    help = "Recompute a published expert draw from its audit package."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package", help="path of the audit package (JSON)")
        parser.add_argument("--offline", action="store_true", help="do not check against the event log")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["package"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        verdict = verify_package(raw, log=None if options["offline"] else _log_lookup)
        if not verdict.ok:
            for problem in verdict.problems:
                self.stderr.write(f"DIFFERS: {problem}")
            raise CommandError("the draw does not verify", returncode=1)
        for index, (code, experts) in enumerate(zip(verdict.codes, verdict.final, strict=True)):
            self.stdout.write(f"stratum {index} {code}: {' '.join(str(e) for e in experts)}")
        where = "checked against the event log" if verdict.log_checked else "not checked against the event log"
        self.stdout.write(f"OK: the draw reproduces ({where}).")
