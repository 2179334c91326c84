"""Shared set-up for the benchmarks: Django on a throwaway database, machine facts, timing helpers.

SQLite (default): a fresh database in a temporary directory (YANGGUANG_VAR_DIR), removed at exit.
PostgreSQL: set DATABASE_URL. The database it names is DROPPED and re-created, so its name must contain
"bench" (e.g. postgres://postgres@127.0.0.1:5432/yg_bench) or BENCH_DROP_OK=1 must be set.
"""

from __future__ import annotations

import atexit
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _recreate_postgres(url: str) -> str:
    import psycopg
    from dj_database_url import parse

    cfg = parse(url)
    name = cfg["NAME"]
    if "bench" not in name and os.environ.get("BENCH_DROP_OK") != "1":
        raise SystemExit(f"refusing to drop database {name!r}: use a name containing 'bench' or BENCH_DROP_OK=1")
    conninfo = {k: v for k, v in {"host": cfg.get("HOST"), "port": cfg.get("PORT"), "user": cfg.get("USER"),
                                  "password": cfg.get("PASSWORD"), "dbname": "postgres"}.items() if v}
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def setup_django() -> dict[str, Any]:
    """Configure and migrate a fresh database; returns a description of the environment."""
    tmp = tempfile.mkdtemp(prefix="yg-bench-")
    atexit.register(shutil.rmtree, tmp, True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangguang.settings")
    os.environ["YANGGUANG_VAR_DIR"] = tmp
    # DEBUG off: with DEBUG on Django records every query in memory, which distorts the figures.
    os.environ["YANGGUANG_DEBUG"] = "0"
    os.environ.setdefault("YANGGUANG_SECRET_KEY", "benchmark-only-secret-key-not-for-production-0123456789")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        _recreate_postgres(url)
    else:
        os.environ.pop("DATABASE_URL", None)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.YANGGUANG_SIGNING_KEY_FILE = Path(tmp) / "keys" / "platform.pem"
    call_command("migrate", verbosity=0)
    return {"database": connection.vendor, "database_name": str(connection.settings_dict["NAME"]),
            "python": platform.python_version(), "django": django.get_version()}


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def emit(result: dict[str, Any]) -> None:
    """The last line of every benchmark: one JSON object."""
    print(json.dumps(result, ensure_ascii=False, sort_keys=True), flush=True)
