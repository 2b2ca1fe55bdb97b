from django.contrib.auth.decorators import login_not_required
from django.urls import path

from detoxflow.interop.fhir import views
from detoxflow.interop.fhir.registry import KINDS

urlpatterns = [
    path("fhir", views.batch, name="fhir-batch"),
    path("fhir/metadata", login_not_required(views.metadata), name="fhir-metadata"),
    path("fhir/$export", views.export_facility, name="fhir-export"),
    path("fhir/Patient/<str:resource_id>/$export", views.export_patient, name="fhir-patient-export"),
    path("fhir/$export-status/<str:export_id>", views.export_status, name="fhir-export-status"),
    path("fhir/$export-file/<str:export_id>/<str:file_name>", views.export_file, name="fhir-export-file"),
]
for kind in KINDS.values():
    urlpatterns += [
        path(f"fhir/{kind.name}", views.search, {"kind": kind.name}, name=f"fhir-{kind.url_name}-search"),
        path(f"fhir/{kind.name}/<str:resource_id>", views.read, {"kind": kind.name}, name=f"fhir-{kind.url_name}"),
    ]
