"""The JSON API under /api/v1/ (django-ninja). Each app contributes a router from its ``api.py``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from yangguang.core.errors import ServiceError

api = NinjaAPI(
    title="Yangguang 阳光 公共资源交易平台 API",
    version="1",
    description="Public resource trading platform. Errors are JSON objects with a machine-readable `code` "
    "and a `message` in the request's language (Accept-Language: zh-Hans or en).",
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"code": "unauthenticated", "message": _("Please sign in.")}, status=401)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "validation_failed", "message": _("Some fields are missing or invalid."), "errors": exc.errors},
        status=422,
    )


def _add_routers() -> None:
    from yangguang.accounts.api import router as accounts_router
    from yangguang.auctions.api import router as auctions_router
    from yangguang.bidding.api import router as bidding_router
    from yangguang.catalogue.api import router as catalogue_router
    from yangguang.core.api import router as core_router
    from yangguang.evaluation.api import router as evaluation_router
    from yangguang.experts.api import router as experts_router
    from yangguang.notices.api import router as notices_router
    from yangguang.projects.api import router as projects_router
    from yangguang.projects.api_funding import funding_router
    from yangguang.suppliers.api import router as suppliers_router
    from yangguang.tendering.api import router as tendering_router

    # First: finance systems call the funding check at a high rate; its route is tried before the others.
    api.add_router("/funding-check", funding_router)
    api.add_router("/log", core_router)
    api.add_router("/accounts", accounts_router)
    api.add_router("/catalogue", catalogue_router)
    api.add_router("/suppliers", suppliers_router)
    api.add_router("/projects", projects_router)
    api.add_router("/notices", notices_router)
    api.add_router("/tendering", tendering_router)
    api.add_router("/auctions", auctions_router)
    api.add_router("/experts", experts_router)
    api.add_router("/bidding", bidding_router)
    api.add_router("/evaluation", evaluation_router)


_add_routers()
