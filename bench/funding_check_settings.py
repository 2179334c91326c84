"""Settings for bench/funding_check.py's server when POOL=1: the product's settings with Django's native
PostgreSQL connection pool (Django ≥ 5.1, package psycopg-pool). Under ASGI every request runs its sync code
in a fresh thread, so persistent connections (CONN_MAX_AGE) would leak one connection per thread; a pool
is how a production deployment avoids a new PostgreSQL backend process per request (or PgBouncer in
front). Without it every request — /healthz and the funding check alike — pays for a new connection."""

from yangguang.settings import *  # noqa: F403

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405 - required with the pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 4, "max_size": 16}  # noqa: F405
