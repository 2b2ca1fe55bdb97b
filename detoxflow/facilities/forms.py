"""The form a physician uses to change a rule set's configurable values."""

from __future__ import annotations

from typing import Any

from django import forms

from detoxflow.clinical.rulebook import RULEBOOK, RuleSet


class RuleOverrideForm(forms.Form):
    """One field per configurable setting of the rule set, pre-filled with the values in force."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Reason for the change")

    def __init__(self, *args: Any, rule_set: RuleSet, current: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule_set = rule_set
        for setting in RULEBOOK[rule_set][1]:
            initial = getattr(current, setting.field)
            if setting.kind is bool:
                field: forms.Field = forms.BooleanField(required=False, label=setting.label, initial=initial)
            else:
                field = forms.IntegerField(
                    label=setting.label, min_value=setting.low, max_value=setting.high, initial=initial
                )
            self.fields[setting.field] = field
        self.order_fields([*(s.field for s in RULEBOOK[rule_set][1]), "reason"])

    def values(self) -> dict[str, Any]:
        return {s.field: self.cleaned_data[s.field] for s in RULEBOOK[self.rule_set][1]}
