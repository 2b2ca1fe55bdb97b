"""Forms for the aftercare plan, the discharge checklist, discharge and follow-up calls."""

from __future__ import annotations

from typing import Any

from django import forms

from detoxflow.aftercare.models import FollowUpOutcome, ItemKind
from detoxflow.clinical.discharge import NaloxoneStatus
from detoxflow.clinical.stages import DischargeType
from detoxflow.directory.models import Resource


class PlanForm(forms.Form):
    relapse_prevention = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Relapse-prevention notes (triggers, warning signs, who to call)",
    )
    lifestyle_goals = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Lifestyle goals (exercise, diet, stress management)",
    )


class ItemForm(forms.Form):
    kind = forms.ChoiceField(choices=ItemKind.choices)
    resource = forms.ModelChoiceField(queryset=Resource.objects.none(), required=False, label="Directory entry")
    appointment_at = forms.DateTimeField(
        required=False,
        label="Appointment",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": "Enter the appointment as a date and time."},
    )
    detail = forms.CharField(required=False, max_length=300, label="Detail (prescriber, group, address notes)")

    def __init__(self, *args: Any, facility_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(facility_id=facility_id)  # type: ignore[attr-defined]


class ChecklistForm(forms.Form):
    naloxone = forms.ChoiceField(choices=[(s.value, s.label) for s in NaloxoneStatus], label="Naloxone")
    naloxone_decline_reason = forms.CharField(required=False, max_length=300, label="If declined, why")
    overdose_education = forms.BooleanField(required=False, label="Overdose education given (loss of tolerance)")
    medications_reconciled = forms.BooleanField(required=False, label="Medications reconciled")


class DischargeForm(forms.Form):
    discharge_type = forms.ChoiceField(choices=[(d.value, d.label) for d in DischargeType])
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(choices=[c for c in FollowUpOutcome.choices if c[0] != FollowUpOutcome.PENDING])
    note = forms.CharField(required=False, max_length=500)
