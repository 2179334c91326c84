from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("lots/<int:lot_pk>/open/", views.open_lot, name="open"),
    path("<int:pk>/", views.room, name="room"),
    path("<int:pk>/score/", views.score, name="score"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/report.pdf", views.report_file, name="report"),
    path("<int:pk>/award.pdf", views.award_file, name="award"),
    path("<int:pk>/do/<slug:step>/", views.act, name="act"),
]
