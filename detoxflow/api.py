"""The JSON API: one NinjaAPI, one router per app; every error answers {"field", "message"}."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import django_auth

from detoxflow.assessments.api import router as assessments_router
from detoxflow.directory.api import router as directory_router
from detoxflow.episodes.api import router as episodes_router
from detoxflow.errors import InvalidInput
from detoxflow.facilities.api import router as facilities_router
from detoxflow.medications.api import router as medications_router
from detoxflow.medications.services import SafetyStop
from detoxflow.patients.api import router as patients_router
from detoxflow.web.renderers import ExactTimesRenderer
from detoxflow.web.views import database_unavailable

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="DetoxFlow API",
    version="1",
    description="Facilities, patients and episodes of care. Session sign-in required; every call is audited.",
    auth=django_auth,
    docs_decorator=login_required,
    urls_namespace="api",
    renderer=ExactTimesRenderer(),
)
api.add_router("/facilities", facilities_router)
api.add_router("/patients", patients_router)
api.add_router("/episodes", episodes_router)
api.add_router("/", assessments_router)
api.add_router("/", medications_router)
api.add_router("/", directory_router)


def _field_from_location(location: list[str | int]) -> str:
    # Pydantic locations look like ["body", "payload", "date_of_birth"]; the last name is the field.
    names = [str(part) for part in location if part not in ("body", "payload", "query", "path")]
    return ".".join(names) or "body"


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field_from_location(list(e.get("loc", []))), "message": e.get("msg", "Invalid value.")}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": "body", "message": "Invalid request."}
    return api.create_response(request, {**first, "errors": errors}, status=422)


@api.exception_handler(InvalidInput)
def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    body: dict[str, object] = {"field": exc.field, "message": exc.message}
    if len(exc.field_errors) > 1:
        body["errors"] = [{"field": field, "message": message} for field, message in exc.field_errors]
    if isinstance(exc, SafetyStop):
        body["hard_stops"] = exc.stops  # each with rule_id, message and source, for the client to show
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"field": None, "message": str(exc) or "Not allowed."}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"field": None, "message": str(exc) or "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"field": None, "message": "Sign in first."}, status=401)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_down(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The same 503 + Retry-After as handler500 gives when the outage is met in a middleware (the session load),
    # and logged as Django logs an unhandled error, so an outage is seen by whoever watches the logs.
    logger.error("Database unavailable: %s", request.path, exc_info=exc)
    return database_unavailable(request)
