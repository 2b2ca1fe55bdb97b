"""Forms for registering and editing patients."""

from __future__ import annotations

from django import forms

from detoxflow.patients.models import Patient


class PatientForm(forms.ModelForm[Patient]):
    """Demographics as the intake coordinator types them."""

    class Meta:
        model = Patient
        fields = [
            "mrn",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "pregnancy_capable",
            "phone",
            "emergency_contact_name",
            "emergency_contact_phone",
        ]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        error_messages = {"date_of_birth": {"invalid": "Enter the date of birth as YYYY-MM-DD."}}


class AllergyForm(forms.Form):
    """One allergy at a time, added from the patient page."""

    substance = forms.CharField(max_length=100)
    reaction = forms.CharField(max_length=200, required=False)
