"""The HTTP API, /api/v1/: token auth, one router per app, OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from fupin.accounts.queries import user_for_token
from fupin.api import errors as api_errors
from fupin.api.strict_query import close_request_bodies, refuse_unknown_query
from fupin.core.errors import FupinError, ValidationFailed


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class FupinAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return close_request_bodies(super().get_openapi_schema(*args, **kwargs))


api = FupinAPI(
    title="Fupin API",
    version="1",
    description="扶贫 Fupin: the household file and the work around it. Send "
    "`Authorization: Bearer TOKEN` (from `fupin token NAME`). Every read and write is limited "
    "to the token owner's area; anything outside it answers 404 like something that does not exist.",
    auth=BearerToken(),
    urls_namespace="api",
)


api_errors.install(api)
api.add_decorator(refuse_unknown_query, mode="view")


@api.exception_handler(FupinError)
def fupin_error(request: HttpRequest, exc: FupinError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationFailed)
def validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=400)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "UNAUTHENTICATED", "message": "A valid API token is required.", "field": None},
        status=401,
    )


from fupin.api import registry_api  # noqa: E402  routers register themselves on import

api.add_router("/", registry_api.router)
from fupin.api import cases_api  # noqa: E402

api.add_router("/", cases_api.router)
from fupin.api import alerts_api, feeds_api, screening_api  # noqa: E402

api.add_router("/", feeds_api.router)
api.add_router("/", alerts_api.router)
api.add_router("/", screening_api.router)
from fupin.api import assistance_api, teams_api  # noqa: E402

api.add_router("/", teams_api.router)
api.add_router("/", assistance_api.router)
