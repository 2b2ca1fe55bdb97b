"""Forms for the public call-back request and the coordinator's phone screen."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action
from detoxflow.admissions.models import BestTime, CallbackRequest, CallerRelationship, PhoneScreen
from detoxflow.clinical.triage import PregnancyAnswer, Substance
from detoxflow.facilities.models import Bed
from detoxflow.facilities.queries import free_beds
from detoxflow.patients.forms import RECORD_NUMBER_HELP
from detoxflow.patients.models import MRN_MAX_LENGTH, Patient, Sex
from detoxflow.patients.queries import same_person_registered

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


class PatientSearchForm(forms.Form):
    """Find a returning patient before registering anyone: name, date of birth or record number."""

    name = forms.CharField(required=False, max_length=100, label="Name")
    date_of_birth = forms.DateField(
        required=False,
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD."},
    )
    record_number = forms.CharField(required=False, max_length=MRN_MAX_LENGTH, label="Record number")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: it shares the booking page with the new patient's name and date of birth.
        kwargs.setdefault("auto_id", "find_%s")
        super().__init__(*args, **kwargs)

    def has_criteria(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class BookingForm(forms.Form):
    """A bed for a scheduled admission, for a returning patient chosen from the search or a new one.

    A new patient's details arrive filled in from the phone screen; the record number is made from the
    facility's pattern unless one is typed.
    """

    screen = forms.ModelChoiceField(queryset=PhoneScreen.objects.none(), required=False, widget=forms.HiddenInput)
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That patient is not among your facility's records; search again."},
    )
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
    mrn = forms.CharField(
        required=False, max_length=MRN_MAX_LENGTH, label="Medical record number", help_text=RECORD_NUMBER_HELP
    )
    different_person = forms.BooleanField(
        required=False, label="This is a different person with the same name and date of birth"
    )
    bed = forms.ModelChoiceField(
        queryset=Bed.objects.none(), error_messages={"invalid_choice": "That bed is no longer free; pick another."}
    )
    expected_arrival = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter the expected arrival as a date and time."},
    )

    NEW_PATIENT_FIELDS = ("given_name", "family_name", "date_of_birth", "sex")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["bed"].queryset = free_beds(user.facility_id)  # type: ignore[attr-defined]
        self.fields["bed"].label_from_instance = lambda bed: f"{bed.unit.name} {bed.label}"  # type: ignore[attr-defined]
        self.fields["screen"].queryset = PhoneScreen.objects.restrict(  # type: ignore[attr-defined]
            user, Action.OPEN_EPISODE
        ).filter(episode__isnull=True)
        self.fields["patient"].queryset = Patient.objects.restrict(user, Action.OPEN_EPISODE)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("patient") is not None or "patient" in self.errors:
            return data
        for name in self.NEW_PATIENT_FIELDS:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "Required for a new patient (or find a returning patient above).")
        names = (data.get("given_name") or "", data.get("family_name") or "")
        if all(s.strip() for s in names) and data.get("date_of_birth") and not data.get("different_person"):
            twin = same_person_registered(
                self.user, given_name=names[0], family_name=names[1], date_of_birth=data["date_of_birth"]
            )
            if twin is not None:
                self.add_error(
                    "given_name",
                    f"{twin.full_name}, born {twin.date_of_birth:%Y-%m-%d}, is registered already ({twin.mrn}): "
                    "book them as a returning patient rather than registering them twice, or tick "
                    "'This is a different person'.",
                )
        return data

    def new_patient(self) -> dict[str, Any] | None:
        if self.cleaned_data.get("patient") is not None:
            return None
        return {k: self.cleaned_data[k] for k in (*self.NEW_PATIENT_FIELDS, "mrn", "pregnancy_capable", "phone")}

    def reason(self) -> str:
        screen = self.cleaned_data.get("screen")
        return f"Bed booked after phone screen {screen.pk}" if screen else "Bed booked for a scheduled admission"


def booking_from_screen(screen: PhoneScreen | None) -> dict[str, Any]:
    """What the phone screen already knows about the person, to fill in a new patient's details.

    The caller is the patient only when they said so (or were not asked); a family member's name is not the
    patient's. A pregnancy answer of no, possible or yes means the patient could be pregnant.
    """
    if screen is None:
        return {}
    initial: dict[str, Any] = {"screen": screen.pk, "phone": screen.phone}
    if screen.caller_relationship in ("", CallerRelationship.SELF) and screen.caller_name.strip():
        given, _, family = screen.caller_name.strip().partition(" ")
        initial.update(given_name=given, family_name=family.strip())
    if screen.pregnancy:
        initial["pregnancy_capable"] = screen.pregnancy != PregnancyAnswer.NOT_APPLICABLE
    return initial


YES_NO = [(True, "Yes"), (False, "No")]
EMERGENCY_SIGNS = ("overdose_now", "chest_pain", "breathing_difficulty", "suicidal_with_plan", "other_emergency_signs")


def _not_asked_yet(label: str) -> forms.NullBooleanField:
    """A yes/no question that starts unanswered: neither button is chosen until the caller says."""
    return forms.NullBooleanField(required=False, label=label, widget=forms.RadioSelect(choices=YES_NO))


class PhoneScreenForm(forms.ModelForm[PhoneScreen]):
    """The intake coordinator's phone screen; emergency questions come first because they end the call.

    Nothing here is required and nothing starts answered: an emergency is triaged on the emergency questions
    alone, and record_phone_screen names each question any other decision still needs.
    """

    substances = forms.MultipleChoiceField(
        required=False,
        choices=[(s.value, s.label) for s in Substance],
        widget=forms.CheckboxSelectMultiple,
    )
    pregnancy = forms.ChoiceField(
        required=False, choices=[(p.value, p.label) for p in PregnancyAnswer], widget=forms.RadioSelect
    )
    hours_since_last_use = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=24 * 365,
        label="Hours since last use",
        help_text="Leave empty if unknown.",
    )
    has_housing = _not_asked_yet("Has a safe place to live")
    has_home_support = _not_asked_yet("Has someone supportive at home")
    wants_treatment = _not_asked_yet("Wants treatment now")

    class Meta:
        model = PhoneScreen
        fields = [
            "callback",
            *EMERGENCY_SIGNS,
            "caller_name",
            "phone",
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
        widgets = {
            "callback": forms.HiddenInput,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "overdose_now": "Someone is overdosing or unresponsive right now",
            "chest_pain": "Chest pain",
            "breathing_difficulty": "Difficulty breathing",
            "suicidal_with_plan": "Thoughts of suicide with a plan or intent",
            "other_emergency_signs": "Other emergency signs (seizure, confusion, high fever)",
            "phone": "Call-back number",
            "prior_detox_count": "Past detox admissions",
            "prior_complicated_withdrawal": "Past withdrawal with seizures or delirium",
            "suicidal_without_plan": "Thoughts of suicide without a plan",
            "out_of_scope": "Needs a service this program does not offer (or lives outside our area)",
        }

    def __init__(self, *args: Any, facility_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["callback"].queryset = CallbackRequest.objects.filter(facility_id=facility_id)  # type: ignore[attr-defined]
        for field in self.fields.values():
            field.required = False
