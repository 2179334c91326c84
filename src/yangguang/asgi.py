"""ASGI entry point: HTTP through Django, WebSocket routes through Channels (live rooms come later)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangguang.settings")

from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

django_asgi = get_asgi_application()

application = ProtocolTypeRouter({
    "http": django_asgi,
    "websocket": URLRouter([]),
})
