from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.log_page, name="log"),
    path("calendar/", views.calendar_page, name="calendar"),
]
