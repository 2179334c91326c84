from django.urls import path

from .live import OpeningHallConsumer

websocket_urlpatterns = [
    path("ws/bidding/openings/<int:lot_id>/", OpeningHallConsumer.as_asgi()),
]
