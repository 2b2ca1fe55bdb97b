from django.urls import path

from detoxflow.patients import views

urlpatterns = [
    path("patients/new/", views.register_patient, name="register-patient"),
    path("patients/<int:patient_id>/", views.patient_page, name="patient"),
    path("patients/<int:patient_id>/allergies/", views.add_allergy, name="add-allergy"),
]
