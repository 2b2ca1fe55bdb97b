"""Form plumbing shared by every app: service errors shown beside their field."""

from __future__ import annotations

from django import forms

from detoxflow.errors import InvalidInput


def show_on_form(form: forms.BaseForm, error: InvalidInput) -> None:
    """Attach a service's InvalidInput to the field it names, or to the form when it names none of its fields."""
    for field, message in error.field_errors:
        form.add_error(field if field in form.fields else None, message)
