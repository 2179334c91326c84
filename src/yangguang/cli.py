"""The ``yangguang`` console script: Django's management commands with the settings preset.

``yangguang migrate``, ``yangguang demo``, ``yangguang serve``, ``yangguang worker``,
``yangguang verify-log``, ``yangguang log-checkpoint`` … (hyphens and underscores are interchangeable).
``yangguang seal …`` is the bidder's sealing tool (``yangguang.seal.cli``), which runs without Django.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "seal":
        from yangguang.seal.cli import main as seal_main

        raise SystemExit(seal_main(args[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangguang.settings")
    if len(args) > 1 and "-" in args[1] and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
