"""Forms for registering and editing patients."""

from __future__ import annotations

from typing import Any

from django import forms

from detoxflow.patients.models import Patient

RECORD_NUMBER_HELP = (
    "Leave empty to give the next number from the facility's pattern; type one only to keep a number the "
    "patient already has (e.g. from a previous system)."
)


class PatientForm(forms.ModelForm[Patient]):
    """Demographics as the intake coordinator types them; the record number is made unless one is typed."""

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
        help_texts = {"mrn": RECORD_NUMBER_HELP}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An empty number is made by the service (ModelForm leaves an empty optional field out of the model check).
        self.fields["mrn"].required = False


class AllergyForm(forms.Form):
    """One allergy at a time, added from the patient page."""

    substance = forms.CharField(max_length=100)
    reaction = forms.CharField(max_length=200, required=False)
