"""Settings for bench/portal_rps.py: the product's settings with a URLconf that adds a bare view.

PORTAL_RPS_CONN_MAX_AGE=<seconds> measures the variant with persistent database connections (the product's
settings open a new connection for every request that touches the database; the bare view touches none).
"""

import os

from yangguang.settings import *  # noqa: F403
from yangguang.settings import DATABASES

ROOT_URLCONF = "portal_bench_urls"
if os.environ.get("PORTAL_RPS_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["PORTAL_RPS_CONN_MAX_AGE"])
