"""Forms for the aftercare plan, the discharge checklist, discharge (with the decision on each active order) and
follow-up calls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from detoxflow.aftercare.models import RESOURCE_KINDS, FollowUpOutcome, ItemKind, OrderDisposition
from detoxflow.aftercare.queries import OrderToDecide
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
    """One commitment of the plan. The directory entries offered are those that fit the kind chosen: the kind's
    select asks the server for them again (htmx) whenever it changes."""

    kind = forms.ChoiceField(
        choices=[("", "Choose the kind of aftercare"), *ItemKind.choices],
        error_messages={"required": "Choose what kind of aftercare this is."},
    )
    resource = forms.ModelChoiceField(
        queryset=Resource.objects.none(),
        required=False,
        label="Directory entry",
        error_messages={"invalid_choice": "Choose a directory entry that offers this kind of aftercare."},
    )
    appointment_at = forms.DateTimeField(
        required=False,
        label="Appointment",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": "Enter the appointment as a date and time."},
    )
    detail = forms.CharField(required=False, max_length=300, label="Detail (prescriber, group, address notes)")

    def __init__(self, *args: Any, facility_id: int, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = (self.data.get("kind") if self.is_bound else None) or kind or self.initial.get("kind", "")
        self.chosen_kind = kind if kind in ItemKind.values else ""
        resources = Resource.objects.filter(facility_id=facility_id).order_by("kind", "name")
        if self.chosen_kind:
            resources = resources.filter(kind__in=RESOURCE_KINDS[ItemKind(self.chosen_kind)])
        self.fields["resource"].queryset = resources  # type: ignore[attr-defined]
        # Choosing the kind fetches the entries that fit it; without scripts the server still refuses a misfit.
        self.fields["kind"].widget.attrs.update(
            {
                "hx-get": reverse("aftercare-resources"),
                "hx-target": "#resource-field",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        )


class ChecklistForm(forms.Form):
    naloxone = forms.ChoiceField(choices=[(s.value, s.label) for s in NaloxoneStatus], label="Naloxone")
    naloxone_decline_reason = forms.CharField(required=False, max_length=300, label="If declined, why")
    overdose_education = forms.BooleanField(required=False, label="Overdose education given (loss of tolerance)")
    medications_reconciled = forms.BooleanField(required=False, label="Medications reconciled")


class DischargeForm(forms.Form):
    discharge_type = forms.ChoiceField(choices=[(d.value, d.label) for d in DischargeType])
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class OrderDecisionsForm(forms.Form):
    """For each order still active at discharge: stopped, or continued (and by whom). Fields are named after the
    order, `order-<id>` and `continued_by-<id>`, as the service names them in its errors."""

    def __init__(self, *args: Any, orders: list[OrderToDecide], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orders = orders
        for item in orders:
            pk = item.order.pk
            self.fields[f"order-{pk}"] = forms.ChoiceField(
                choices=OrderDisposition.choices,
                widget=forms.RadioSelect,
                label=f"{item.order.medicine_name} {item.dose_mg.normalize():f} mg",
                error_messages={"required": f"Say whether {item.order.medicine_name} is stopped or continued."},
            )
            self.fields[f"continued_by-{pk}"] = forms.CharField(
                required=False, max_length=200, label="Continued by (receiving prescriber or program)"
            )

    def rows(self) -> list[tuple[OrderToDecide, forms.BoundField, forms.BoundField]]:
        """Each order with its two fields, for the confirmation page."""
        return [(item, self[f"order-{item.order.pk}"], self[f"continued_by-{item.order.pk}"]) for item in self.orders]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.orders:
            pk = item.order.pk
            if data.get(f"order-{pk}") == OrderDisposition.CONTINUED and not data.get(f"continued_by-{pk}", "").strip():
                self.add_error(
                    f"continued_by-{pk}", f"Name who continues {item.order.medicine_name} (prescriber or program)."
                )
        return data

    def decisions(self) -> dict[int, tuple[str, str]]:
        """{order id: (disposition, continued by)} from the cleaned form."""
        data = self.cleaned_data
        return {
            item.order.pk: (data[f"order-{item.order.pk}"], data[f"continued_by-{item.order.pk}"])
            for item in self.orders
        }


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(choices=[c for c in FollowUpOutcome.choices if c[0] != FollowUpOutcome.PENDING])
    note = forms.CharField(required=False, max_length=500)
