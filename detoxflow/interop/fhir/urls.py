from django.contrib.auth.decorators import login_not_required
from django.urls import path

from detoxflow.interop.fhir import views

urlpatterns = [
    path("fhir/metadata", login_not_required(views.metadata), name="fhir-metadata"),
    path("fhir/Patient", views.search_patients, name="fhir-patient-search"),
    path("fhir/Patient/<str:resource_id>", views.read_patient, name="fhir-patient"),
    path("fhir/EpisodeOfCare", views.search_episodes, name="fhir-episode-search"),
    path("fhir/EpisodeOfCare/<str:resource_id>", views.read_episode, name="fhir-episode"),
]
