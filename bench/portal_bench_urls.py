"""The product's URLs plus /bench/bare/: a Django view returning a constant page (the comparison point)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

# As large as the portal's home page (about 40 KB), so both cost the server and the load generator the same
# to send and read; only the work of producing the page differs.
PAGE = b"<!doctype html><html><head><title>bare</title></head><body><p>" + b"Yangguang " * 4000 + b"</p></body></html>"


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE)


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("yangguang.urls")),
]
