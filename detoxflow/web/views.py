"""handler500: a 503 with Retry-After while the database is unreachable; every answer in the route's own shape.
And /favicon.ico, which browsers ask for on every page whatever the page links to."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.http import require_safe

from detoxflow.web.middleware import request_id_of

# Long enough for a database restart or fail-over to finish, short enough that a nurse retrying by hand waits no longer.
RETRY_AFTER_SECONDS = 30
UNAVAILABLE = "The database is not answering just now; try again in a minute."
FAVICON = Path(__file__).resolve().parent / "static" / "favicon.ico"
# A day: the icon changes with a release at most, and every page load would otherwise ask again.
FAVICON_MAX_AGE = 24 * 60 * 60


def _database_down(exception: BaseException | None) -> bool:
    """Whether the error (or one it was raised from) is the database refusing or losing the connection.

    OperationalError covers a refused or dropped connection, a server shutting down, a timeout and SQLite's
    "database is locked": each passes, so the client is told to retry rather than that DetoxFlow is broken.
    """
    seen = 0
    while exception is not None and seen < 10:  # a bounded walk: causes can, in principle, form a cycle
        if isinstance(exception, OperationalError | InterfaceError):
            return True
        exception = exception.__cause__ or exception.__context__
        seen += 1
    return False


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: API JSON, a FHIR OperationOutcome, or a calm page. Touches no database."""
    response: HttpResponse
    if request.path.startswith("/fhir"):
        from detoxflow.interop.fhir.common import operation_outcome  # noqa: PLC0415  (FHIR models load on use)

        response = operation_outcome(503, "transient", f"{UNAVAILABLE} (request {request_id_of(request)})")
    elif request.path.startswith("/api/"):
        response = JsonResponse(
            {"field": None, "message": UNAVAILABLE, "request_id": request_id_of(request)}, status=503
        )
    else:
        # Rendered without the request: its context processors read the signed-in user, from the database.
        page = loader.render_to_string(
            "503.html", {"retry_after": RETRY_AFTER_SECONDS, "request_id": request_id_of(request)}
        )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the database being down is a 503 to retry; any other error is a 500 in the route's shape."""
    if _database_down(sys.exc_info()[1]):
        return database_unavailable(request)
    if request.path.startswith("/fhir"):
        from detoxflow.interop.fhir.common import operation_outcome  # noqa: PLC0415  (FHIR models load on use)

        return operation_outcome(
            500, "exception", f"Server error; it has been logged (request {request_id_of(request)})."
        )
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"field": None, "message": "Server error; it has been logged.", "request_id": request_id_of(request)},
            status=500,
        )
    # Like Django's own 500 page, rendered without the request's context (it may be what failed).
    return HttpResponse(loader.render_to_string("500.html", {"request_id": request_id_of(request)}), status=500)


@cache
def _favicon_bytes() -> bytes:
    return FAVICON.read_bytes()


@login_not_required
@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """The product's icon at /favicon.ico, signed in or not: browsers ask for it before any <link rel="icon">
    is read, so without it every page logs a 404. Touches no database."""
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={FAVICON_MAX_AGE}"
    return response
