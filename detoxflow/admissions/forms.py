"""Forms for the public call-back request and the coordinator's phone screen."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from detoxflow.admissions.models import BestTime, CallbackRequest, PhoneScreen
from detoxflow.clinical.triage import PregnancyAnswer, Substance
from detoxflow.facilities.models import Bed
from detoxflow.facilities.queries import free_beds
from detoxflow.patients.models import Patient, Sex

_PHONE = re.compile(r"^[0-9+()\-. ]{7,32}$")


class CallbackRequestForm(forms.ModelForm[CallbackRequest]):
    """What a person may leave for a call back: a name or alias, a number, a time, a short message."""

    # Left empty by people, filled in by bots; a filled one is quietly dropped.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    class Meta:
        model = CallbackRequest
        fields = ["name", "phone", "best_time", "message"]
        labels = {
            "name": "First name or a name we can use",
            "phone": "Phone number",
            "best_time": "Best time to call",
            "message": "Anything you want us to know (optional)",
        }
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
            "best_time": forms.RadioSelect(choices=BestTime.choices),
            "message": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        }
        error_messages = {
            "name": {"required": "Tell us what to call you; a first name or a nickname is fine."},
            "phone": {"required": "We need a phone number to call you back."},
        }

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        if not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 7:
            raise forms.ValidationError("Enter a phone number with at least 7 digits, like 555-0123.")
        return phone

    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def values(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("name", "phone", "best_time", "message")}


class BookingForm(forms.Form):
    """A bed for a scheduled admission: an existing patient by MRN, or a new one's details."""

    screen = forms.ModelChoiceField(queryset=PhoneScreen.objects.none(), required=False, widget=forms.HiddenInput)
    existing_mrn = forms.CharField(
        required=False,
        max_length=32,
        label="Registered patient's MRN",
        help_text="Leave empty to register a new patient below.",
    )
    mrn = forms.CharField(required=False, max_length=32, label="New patient: medical record number")
    given_name = forms.CharField(required=False, max_length=100)
    family_name = forms.CharField(required=False, max_length=100)
    date_of_birth = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD."},
    )
    sex = forms.ChoiceField(required=False, choices=[("", "—"), *Sex.choices])
    pregnancy_capable = forms.BooleanField(required=False, label="Could be pregnant")
    phone = forms.CharField(required=False, max_length=32)
    bed = forms.ModelChoiceField(
        queryset=Bed.objects.none(), error_messages={"invalid_choice": "That bed is no longer free; pick another."}
    )
    expected_arrival = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter the expected arrival as a date and time."},
    )

    NEW_PATIENT_FIELDS = ("mrn", "given_name", "family_name", "date_of_birth", "sex")

    def __init__(self, *args: Any, facility_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.facility_id = facility_id
        self.fields["bed"].queryset = free_beds(facility_id)  # type: ignore[attr-defined]
        self.fields["bed"].label_from_instance = lambda bed: f"{bed.unit.name} {bed.label}"  # type: ignore[attr-defined]
        self.fields["screen"].queryset = PhoneScreen.objects.filter(  # type: ignore[attr-defined]
            facility_id=facility_id, episode__isnull=True
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["patient"] = None
        mrn = (data.get("existing_mrn") or "").strip()
        if mrn:
            data["patient"] = Patient.objects.filter(facility_id=self.facility_id, mrn=mrn).first()
            if data["patient"] is None:
                self.add_error("existing_mrn", f"No patient with MRN {mrn} in this facility.")
        else:
            for name in self.NEW_PATIENT_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Required for a new patient (or give a registered patient's MRN).")
        return data

    def new_patient(self) -> dict[str, Any] | None:
        if self.cleaned_data["patient"] is not None:
            return None
        return {k: self.cleaned_data[k] for k in (*self.NEW_PATIENT_FIELDS, "pregnancy_capable", "phone")}

    def reason(self) -> str:
        screen = self.cleaned_data.get("screen")
        return f"Bed booked after phone screen {screen.pk}" if screen else "Bed booked for a scheduled admission"


class PhoneScreenForm(forms.ModelForm[PhoneScreen]):
    """The intake coordinator's phone screen; emergency questions come first because they end the call."""

    substances = forms.MultipleChoiceField(
        choices=[(s.value, s.label) for s in Substance],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one substance the person uses."},
    )
    pregnancy = forms.ChoiceField(choices=[(p.value, p.label) for p in PregnancyAnswer])
    hours_since_last_use = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=24 * 365,
        label="Hours since last use",
        help_text="Leave empty if unknown.",
    )

    class Meta:
        model = PhoneScreen
        fields = [
            "callback",
            "overdose_now",
            "chest_pain",
            "breathing_difficulty",
            "suicidal_with_plan",
            "other_emergency_signs",
            "caller_name",
            "caller_relationship",
            "substances",
            "hours_since_last_use",
            "route",
            "daily_amount",
            "prior_detox_count",
            "prior_complicated_withdrawal",
            "pregnancy",
            "suicidal_without_plan",
            "payer",
            "has_housing",
            "has_home_support",
            "wants_treatment",
            "out_of_scope",
            "notes",
        ]
        widgets = {"callback": forms.HiddenInput, "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "overdose_now": "Someone is overdosing or unresponsive right now",
            "chest_pain": "Chest pain",
            "breathing_difficulty": "Difficulty breathing",
            "suicidal_with_plan": "Thoughts of suicide with a plan or intent",
            "other_emergency_signs": "Other emergency signs (seizure, confusion, high fever)",
            "prior_complicated_withdrawal": "Past withdrawal with seizures or delirium",
            "suicidal_without_plan": "Thoughts of suicide without a plan",
            "has_housing": "Has a safe place to live",
            "has_home_support": "Has someone supportive at home",
            "wants_treatment": "Wants treatment now",
            "out_of_scope": "Needs a service this program does not offer (or lives outside our area)",
        }

    def __init__(self, *args: Any, facility_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["callback"].queryset = CallbackRequest.objects.filter(facility_id=facility_id)  # type: ignore[attr-defined]
        self.fields["callback"].required = False
