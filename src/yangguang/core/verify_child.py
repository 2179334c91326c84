"""The second pass of ``verify_log`` in a process of its own (started with "spawn", not "fork": a forked
child would share the parent's database sockets, including those held by a connection pool).

Nothing here imports Django models at module level: the spawned interpreter imports this module before
Django is set up."""

from __future__ import annotations

import os
from typing import Any


def tree_pass(checkpoints: dict[int, list[str]], batch: int, pipe: Any, database_name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangguang.settings")
    os.environ["YANGGUANG_DB_POOL"] = "0"  # one plain connection; the parent's pool is not ours
    import django

    django.setup()
    from django.db import connections

    # The parent may be on a database whose name differs from the settings' (a test database).
    connections["default"].settings_dict["NAME"] = database_name
    try:
        from .eventlog import _verify_tree

        pipe.send(_verify_tree(checkpoints, batch))
    except BaseException as exc:  # reported to the parent, which raises it
        pipe.send(exc)
    finally:
        connections.close_all()
        pipe.close()
