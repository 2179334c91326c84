from django.urls import path

from . import views

app_name = "auctions"
urlpatterns = [
    path("", views.lot_list, name="list"),
    path("new/", views.lot_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("lots/<int:pk>/", views.lot_detail, name="detail"),
    path("lots/<int:pk>/room/", views.room, name="room"),
    path("lots/<int:pk>/confirmation/", views.confirmation, name="confirmation"),
    path("lots/<int:pk>/apply/", views.apply, name="apply"),
    path("lots/<int:pk>/continue/", views.request_live, name="continue"),
    path("lots/<int:pk>/announce/", views.announce, name="announce"),
    path("lots/<int:pk>/result/", views.publish_result, name="result"),
    path("registrations/<int:pk>/approve/", views.approve, name="approve"),
    path("registrations/<int:pk>/reject/", views.reject, name="reject"),
]
