"""Filters for the audit log page."""

from __future__ import annotations

from django import forms


class AuditFilterForm(forms.Form):
    """Narrow the log by patient, user and date range; all optional."""

    patient = forms.CharField(
        required=False,
        max_length=100,
        label="Patient",
        help_text="Name, record number or record id",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    user = forms.CharField(required=False, max_length=150, label="Username")
    start = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="From",
        error_messages={"invalid": "Enter the start date as YYYY-MM-DD."},
    )
    end = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="To",
        error_messages={"invalid": "Enter the end date as YYYY-MM-DD."},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date is before the start date.")
        return data
