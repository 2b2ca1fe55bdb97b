"""Search and import forms for the directory."""

from __future__ import annotations

from django import forms

from detoxflow.directory.models import ResourceKind


class SearchForm(forms.Form):
    """All filters optional; `near` is a postcode from the directory or 'latitude, longitude'."""

    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *ResourceKind.choices])
    service = forms.CharField(required=False, max_length=60)
    payer = forms.CharField(required=False, max_length=60, label="Payment accepted")
    near = forms.CharField(required=False, max_length=60, label="Near (postcode or lat, lon)")
    open_now = forms.BooleanField(required=False, label="Open now")


class ImportForm(forms.Form):
    """A CSV in the documented format."""

    file = forms.FileField(label="CSV file")
    replace = forms.BooleanField(required=False, label="Replace the whole directory with this file")
