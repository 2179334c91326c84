"""WebSocket routes of the auctions app (collected by ``yangguang.asgi``)."""

from django.urls import path

from .live import LotRoomConsumer

websocket_urlpatterns = [
    path("ws/auctions/lots/<int:lot_id>/", LotRoomConsumer.as_asgi()),
]
