from django.urls import path

from . import views

app_name = "bidding"
urlpatterns = [
    path("", views.index, name="index"),
    path("keys/", views.keys, name="keys"),
    path("shares/", views.shares, name="shares"),
    path("lots/<int:lot_pk>/", views.lot_seal, name="lot"),
    path("bids/<int:bid_pk>/receipt/", views.receipt, name="receipt"),
    path("openings/<int:lot_pk>/", views.hall, name="hall"),
    path("openings/<int:lot_pk>/record.pdf", views.record_pdf, name="record"),
]
