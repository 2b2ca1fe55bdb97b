"""Forms for recording a consent and making a disclosure."""

from __future__ import annotations

from django import forms

from detoxflow.consent.coverage import Category


class ConsentForm(forms.Form):
    recipient = forms.CharField(max_length=200, help_text="A named person or organisation")
    categories = forms.MultipleChoiceField(
        choices=[(c.value, c.label) for c in Category], widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(max_length=300)
    starts = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the start date as YYYY-MM-DD."},
    )
    expires = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the expiry date as YYYY-MM-DD."},
    )
    signed_copy_reference = forms.CharField(max_length=200, label="Signed copy filed as")


class DisclosureForm(forms.Form):
    recipient = forms.CharField(max_length=200)
    purpose = forms.CharField(max_length=300)
