"""Every route: pages per app, the API under /api/. No Django admin: one sign-in door for everyone."""

from django.urls import include, path, register_converter

from detoxflow.api import api
from detoxflow.web import health
from detoxflow.web.identifiers import RecordIdConverter
from detoxflow.web.views import favicon

register_converter(RecordIdConverter, "id")

urlpatterns = [
    path("", include("detoxflow.accounts.urls")),
    path("", include("detoxflow.facilities.urls")),
    path("", include("detoxflow.patients.urls")),
    path("", include("detoxflow.episodes.urls")),
    path("", include("detoxflow.audit.urls")),
    path("", include("detoxflow.admissions.urls")),
    path("", include("detoxflow.intake.urls")),
    path("", include("detoxflow.assessments.urls")),
    path("", include("detoxflow.medications.urls")),
    path("", include("detoxflow.directory.urls")),
    path("", include("detoxflow.aftercare.urls")),
    path("", include("detoxflow.consent.urls")),
    path("", include("detoxflow.interop.fhir.urls")),
    path("api/", api.urls),
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler403 = "detoxflow.accounts.views.forbidden"
# A database outage answers 503 with Retry-After (API JSON, FHIR OperationOutcome or a calm page), not a 500.
handler500 = "detoxflow.web.views.server_error"
