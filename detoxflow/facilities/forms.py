"""The form a physician uses to change a rule set's configurable values."""

from __future__ import annotations

from typing import Any

from django import forms

from detoxflow.clinical.rulebook import RuleSet, configurable


class RuleOverrideForm(forms.Form):
    """One field per configurable setting of the rule set, pre-filled with the values in force."""

    # Not required here: the service names a missing reason together with every value at fault.
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason for the change")

    def __init__(self, *args: Any, rule_set: RuleSet, current: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule_set = rule_set
        for setting in configurable(rule_set):
            initial = getattr(current, setting.field)
            if setting.kind is bool:
                field: forms.Field = forms.BooleanField(required=False, label=setting.label, initial=initial)
            else:
                # Bounds as browser hints only: the rulebook checks them with the orderings between values,
                # so one refused save names every value at fault.
                field = forms.IntegerField(
                    label=setting.label,
                    initial=initial,
                    widget=forms.NumberInput(attrs={"min": setting.low, "max": setting.high}),
                )
            self.fields[setting.field] = field
        self.order_fields([*(s.field for s in configurable(rule_set)), "reason"])

    def values(self) -> dict[str, Any]:
        return {s.field: self.cleaned_data[s.field] for s in configurable(self.rule_set)}
