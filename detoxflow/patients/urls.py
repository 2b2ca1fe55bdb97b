from django.urls import path

from detoxflow.patients import views

urlpatterns = [
    path("patients/new/", views.register_patient, name="register-patient"),
    path("patients/<id:patient_id>/", views.patient_page, name="patient"),
    path("patients/<id:patient_id>/allergies/", views.add_allergy, name="add-allergy"),
    path("patients/<id:patient_id>/allergies/none-known/", views.no_known_allergies, name="no-known-allergies"),
]
