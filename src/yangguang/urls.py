from django.urls import include, path

from yangguang.api import api
from yangguang.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/switch/", core_views.language_switch, name="language_switch"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("log/", include("yangguang.core.urls")),
    path("rules/", include("yangguang.rules.urls")),
    path("accounts/", include("yangguang.accounts.urls")),
    path("catalogue/", include("yangguang.catalogue.urls")),
    path("suppliers/", include("yangguang.suppliers.urls")),
    path("projects/", include("yangguang.projects.urls")),
    path("notices/", include("yangguang.notices.urls")),
    path("tendering/", include("yangguang.tendering.urls")),
    path("auctions/", include("yangguang.auctions.urls")),
    path("bidding/", include("yangguang.bidding.urls")),
    path("evaluation/", include("yangguang.evaluation.urls")),
    path("experts/", include("yangguang.experts.urls")),
    path("", include("yangguang.portal.urls")),
]
