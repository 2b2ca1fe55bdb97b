"""handler500: a 503 with Retry-After while the database is unreachable; every answer in the route's own shape."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

# Long enough for a database restart or fail-over to finish, short enough that a nurse retrying by hand waits no longer.
RETRY_AFTER_SECONDS = 30
UNAVAILABLE = "The database is not answering just now; try again in a minute."


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

        response = operation_outcome(503, "transient", UNAVAILABLE)
    elif request.path.startswith("/api/"):
        response = JsonResponse({"field": None, "message": UNAVAILABLE}, status=503)
    else:
        # Rendered without the request: its context processors read the signed-in user, from the database.
        response = HttpResponse(loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the database being down is a 503 to retry; any other error is a 500 in the route's shape."""
    if _database_down(sys.exc_info()[1]):
        return database_unavailable(request)
    if request.path.startswith("/fhir"):
        from detoxflow.interop.fhir.common import operation_outcome  # noqa: PLC0415  (FHIR models load on use)

        return operation_outcome(500, "exception", "Server error; it has been logged.")
    if request.path.startswith("/api/"):
        return JsonResponse({"field": None, "message": "Server error; it has been logged."}, status=500)
    return defaults.server_error(request)
