from django.contrib.auth import views as auth_views
from django.urls import path

from . import apikey_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("workbench/", views.workbench, name="workbench"),
    path("profile/", views.profile, name="profile"),
    path("organisations/", views.organisations, name="organisations"),
    path("api-keys/", apikey_views.apikeys, name="apikeys"),
    path("api-keys/<int:pk>/revoke/", apikey_views.apikey_revoke_view, name="apikey_revoke"),
]
