from django.http import HttpResponse
from django.urls import path

app_name = "suppliers"
urlpatterns = [path("register/", lambda r: HttpResponse("soon"), name="register")]
