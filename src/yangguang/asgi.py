"""ASGI entry point: HTTP through Django, WebSocket routes through Channels.

Each app that serves WebSockets has a ``routing.py`` with ``websocket_urlpatterns``; they are collected here.
"""

import os
from importlib import import_module
from importlib.util import find_spec

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangguang.settings")

import django
from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.apps import apps

django.setup(set_prefix=False)

from yangguang.core.asgi_http import PooledASGIHandler  # noqa: E402

# HTTP: Django's handler with the whole request in one hop to a thread pool (core/asgi_http.py says why).
# YANGGUANG_HTTP_HANDLER=django serves with Django's own ASGI handler instead (for comparisons).
if os.environ.get("YANGGUANG_HTTP_HANDLER", "pooled") == "django":
    from django.core.handlers.asgi import ASGIHandler

    django_asgi: ASGIHandler = ASGIHandler()
else:
    django_asgi = PooledASGIHandler()


def _websocket_patterns() -> list:
    patterns: list = []
    for config in apps.get_app_configs():
        if config.name.startswith("yangguang.") and find_spec(f"{config.name}.routing") is not None:
            patterns += import_module(f"{config.name}.routing").websocket_urlpatterns
    return patterns


application = ProtocolTypeRouter({
    "http": django_asgi,
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(_websocket_patterns()))),
})

# Import every view module now, then move everything loaded at start-up out of the garbage collector's
# generations: a full collection of a Django process's ~127,000 start-up objects took 38 ms on the reference
# VM, and every request in flight waited for it (docs/performance-musttrade.md).
import gc  # noqa: E402

from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
gc.freeze()
