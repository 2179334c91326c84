from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("publish/", views.publish, name="publish"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
