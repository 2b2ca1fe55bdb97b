from django.contrib.auth.decorators import login_not_required
from django.urls import path

from detoxflow.interop.fhir import views
from detoxflow.interop.fhir.registry import KINDS

urlpatterns = [path("fhir/metadata", login_not_required(views.metadata), name="fhir-metadata")]
for kind in KINDS.values():
    urlpatterns += [
        path(f"fhir/{kind.name}", views.search, {"kind": kind.name}, name=f"fhir-{kind.url_name}-search"),
        path(f"fhir/{kind.name}/<str:resource_id>", views.read, {"kind": kind.name}, name=f"fhir-{kind.url_name}"),
    ]
