"""The charting form: one radio group per item, generated from the instrument, plus vitals."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from detoxflow.assessments.models import Sedation
from detoxflow.clinical.scales.instrument import Instrument


class AssessmentForm(forms.Form):
    """Items first (number keys pick a value), then vitals; the service does the scoring and checks."""

    heart_rate = forms.IntegerField(required=False, label="Heart rate (/min)")
    systolic_bp = forms.IntegerField(required=False, label="Systolic BP")
    diastolic_bp = forms.IntegerField(required=False, label="Diastolic BP")
    respiratory_rate = forms.IntegerField(required=False, label="Respiratory rate (/min)")
    temperature_c = forms.DecimalField(required=False, max_digits=4, decimal_places=1, label="Temperature (°C)")
    spo2 = forms.IntegerField(required=False, label="SpO2 (%)")
    pain = forms.IntegerField(required=False, label="Pain (0-10)")
    sedation = forms.ChoiceField(required=False, choices=[("", "—"), *Sedation.choices], label="Sedation (POSS)")

    VITALS = (
        "heart_rate",
        "systolic_bp",
        "diastolic_bp",
        "respiratory_rate",
        "temperature_c",
        "spo2",
        "pain",
        "sedation",
    )

    def __init__(self, *args: Any, instrument: Instrument, with_vitals: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        if not with_vitals:
            for name in self.VITALS:
                del self.fields[name]
        else:
            # The last item's number key moves focus here (charting.js): onto the first vital's input itself,
            # not its fieldset, so the digits typed next land in heart rate instead of being lost.
            self.fields[self.VITALS[0]].widget.attrs["data-after-items"] = ""
        items = {}
        for number, item in enumerate(instrument.items, start=1):
            items[f"item_{item.key}"] = forms.TypedChoiceField(
                coerce=int,
                label=f"{number}. {item.name}",
                help_text=item.how_assessed,
                choices=[(a.points, f"{a.points} {a.text}") for a in item.anchors],
                widget=forms.RadioSelect(attrs={"data-item": item.key}),
                error_messages={
                    "required": f"Score {item.name.lower()}; a partly filled {instrument.code} is not saved."
                },
            )
        # Items come first on the screen: fields are re-ordered so the keyboard path runs items, then vitals.
        self.fields = {**items, **self.fields}

    def item_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("item_")]

    def vital_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.VITALS if name in self.fields]

    def answers(self) -> dict[str, int]:
        return {item.key: self.cleaned_data[f"item_{item.key}"] for item in self.instrument.items}

    def vitals(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.VITALS if name in self.fields}

    def bands_json(self) -> str:
        return json.dumps([[b.label, b.low, b.high] for b in self.instrument.bands])
