from django.urls import path

from detoxflow.consent import views

urlpatterns = [
    path("patients/<id:patient_id>/consents/", views.consents, name="consents"),
    path("patients/<id:patient_id>/consents/add/", views.add_consent, name="add-consent"),
    path("consents/<id:consent_id>/revoke/", views.revoke_consent, name="revoke-consent"),
    path("patients/<id:patient_id>/disclosures/summary/", views.disclose_summary, name="disclose-summary"),
]
