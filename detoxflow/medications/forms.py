"""Forms for signing orders and recording doses."""

from __future__ import annotations

from django import forms

from detoxflow.clinical.formulary import FORMULARY
from detoxflow.clinical.protocols import PUBLISHED_PROTOCOLS, OrderKind
from detoxflow.clinical.tapers import TaperMethod
from detoxflow.facilities.models import Unit
from detoxflow.medications.models import (
    AdministrationStatus,
    LedgerKind,
    MaintenanceChoice,
    MedicationRequest,
    OverrideScope,
)
from detoxflow.medications.services import HARD_STOPS


class ProtocolOrderForm(forms.Form):
    """Sign every line of a published protocol."""

    protocol = forms.ChoiceField(choices=[(p.code, p.name) for p in PUBLISHED_PROTOCOLS.values()])


class HandOrderForm(forms.Form):
    """An order written by hand; the service holds it to the formulary's limits."""

    medicine_code = forms.ChoiceField(label="Medicine", choices=[(m.code, m.name) for m in FORMULARY.values()])
    kind = forms.ChoiceField(choices=[(k.value, k.label) for k in OrderKind])
    dose_mg = forms.DecimalField(label="Dose (mg)", max_digits=8, decimal_places=2)
    min_interval_minutes = forms.IntegerField(label="Minimum minutes between doses", min_value=1, max_value=10080)
    single_dose_max_mg = forms.DecimalField(label="Single-dose maximum (mg)", max_digits=8, decimal_places=2)
    daily_max_mg = forms.DecimalField(label="24-hour maximum (mg)", max_digits=8, decimal_places=2)
    cows_at_least = forms.IntegerField(label="COWS trigger", required=False, min_value=0, max_value=48)
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AdministrationForm(forms.Form):
    """Record a dose: given, or not given with the reason. A hard stop is set aside only by a physician's
    authorisation on the order (OverrideForm), never from here: the one recording is the one giving."""

    status = forms.ChoiceField(choices=AdministrationStatus.choices)
    dose_mg = forms.DecimalField(label="Dose (mg)", max_digits=8, decimal_places=2, required=False)
    due_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(required=False, label="Reason (required when not given)")
    # "round" when recorded from the unit's time-slot round, which the answer returns to.
    return_to = forms.ChoiceField(choices=[("", "MAR"), ("round", "Unit round")], required=False)


class OverrideForm(forms.Form):
    """A physician sets aside the hard stops standing on an order, for the next dose or until a time."""

    rule_ids = forms.MultipleChoiceField(
        label="Hard stops set aside", choices=list(HARD_STOPS.items()), widget=forms.CheckboxSelectMultiple
    )
    scope = forms.ChoiceField(label="For", choices=OverrideScope.choices, widget=forms.RadioSelect)
    until = forms.DateTimeField(
        label="Until (for doses until a time)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter the end as a date and time (YYYY-MM-DD HH:MM)."},
    )
    reason = forms.CharField(label="Reason for the override", max_length=2000)


class StopOrderForm(forms.Form):
    """Stopping an order asks why, and is confirmed on its own step."""

    reason = forms.CharField(
        label="Reason for stopping",
        max_length=2000,
        help_text="e.g. taper finished, side effects, discharge",
        error_messages={"required": "Say why the order is stopped."},
    )


class LedgerForm(forms.Form):
    """Receive, waste or count; waste needs the witness to sign in here."""

    kind = forms.ChoiceField(
        choices=[("received", "Received from pharmacy"), ("wasted", "Wasted (witnessed)"), ("count", "Shift count")]
    )
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, empty_label="Facility (outpatient)")
    medicine_code = forms.ChoiceField(
        label="Medicine", choices=[(m.code, m.name) for m in FORMULARY.values() if m.controlled]
    )
    quantity_mg = forms.DecimalField(label="Quantity or count (mg)", max_digits=10, decimal_places=2)
    witness_username = forms.CharField(required=False, label="Witness username (waste)")
    witness_password = forms.CharField(required=False, label="Witness password", widget=forms.PasswordInput)
    note = forms.CharField(required=False)

    def __init__(self, *args: object, facility_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = Unit.objects.filter(facility_id=facility_id)  # type: ignore[attr-defined]


class ControlledLogFilterForm(forms.Form):
    """Filter the controlled-substance log: medicine, unit, kind, dates and the person who made or witnessed it."""

    medicine_code = forms.ChoiceField(
        label="Medicine",
        required=False,
        choices=[("", "Any medicine"), *((m.code, m.name) for m in FORMULARY.values() if m.controlled)],
    )
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, empty_label="Any unit")
    kind = forms.ChoiceField(label="Entry", required=False, choices=[("", "Any entry"), *LedgerKind.choices])
    since = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the first day as YYYY-MM-DD."},
    )
    until = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the last day as YYYY-MM-DD."},
    )
    person = forms.CharField(label="Person (by or witness)", required=False, max_length=100)

    def __init__(self, *args: object, facility_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].queryset = Unit.objects.filter(facility_id=facility_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The last day is before the first.")
        return data


class MaintenanceOfferForm(forms.Form):
    """Maintenance is offered before any taper; the patient's choice is recorded."""

    choice = forms.ChoiceField(choices=MaintenanceChoice.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, label="What was discussed")


TAPER_METHOD_WORDS = {
    TaperMethod.LINEAR: "Linear: the same milligrams off at each step",
    TaperMethod.PERCENT: "Percentage: a share of the current dose off at each step",
}


class TaperForm(forms.Form):
    """The shape of a taper; the table is built from it and rounded to dispensable amounts."""

    order = forms.ModelChoiceField(queryset=MedicationRequest.objects.none())
    method = forms.ChoiceField(choices=[(m.value, TAPER_METHOD_WORDS[m]) for m in TaperMethod])
    start_mg = forms.DecimalField(label="Start dose (mg/day)", max_digits=8, decimal_places=2)
    step = forms.DecimalField(label="Step (mg, or % for a percentage taper)", max_digits=8, decimal_places=2)
    step_days = forms.IntegerField(label="Days between steps", min_value=1, max_value=28)
    floor_mg = forms.DecimalField(label="Floor (mg/day)", max_digits=8, decimal_places=2, initial=0)
    start_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the start date as YYYY-MM-DD."},
    )
    reason = forms.CharField(label="Reason for this taper or change")

    def __init__(self, *args: object, episode_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["order"].queryset = MedicationRequest.objects.filter(  # type: ignore[attr-defined]
            episode_id=episode_id, stopped_at__isnull=True
        )


class ProtocolLineForm(forms.Form):
    """Change one line of the facility's protocol; saving makes a new version."""

    line = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    dose_mg = forms.DecimalField(label="Dose (mg)", max_digits=8, decimal_places=2)
    min_interval_minutes = forms.IntegerField(label="Minimum minutes between doses", min_value=1, max_value=10080)
    single_dose_max_mg = forms.DecimalField(label="Single-dose maximum (mg)", max_digits=8, decimal_places=2)
    daily_max_mg = forms.DecimalField(label="24-hour maximum (mg)", max_digits=8, decimal_places=2)
    cows_at_least = forms.IntegerField(label="COWS trigger", required=False, min_value=0, max_value=48)
    reason = forms.CharField(label="Reason for the change")
