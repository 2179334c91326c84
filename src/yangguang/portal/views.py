"""The public site. It reads other apps only through their selectors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yangguang.accounts.selectors import centres_active
from yangguang.core import eventlog


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {
        "centres": centres_active(),
        "head": eventlog.head(),
    })
