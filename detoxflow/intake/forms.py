"""The structured intake form, the method decision and the treatment plan."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from detoxflow.clinical.dsm5 import Criterion
from detoxflow.clinical.stages import CareSetting, WithdrawalMedication
from detoxflow.clinical.triage import Substance
from detoxflow.clinical.vitals import VITAL_SIGNS, implausible
from detoxflow.intake.models import IntakeAssessment

UDS_ANALYTES = (
    ("opiates", "Opiates (morphine/heroin)"),
    ("fentanyl", "Fentanyl"),
    ("methadone", "Methadone"),
    ("buprenorphine", "Buprenorphine"),
    ("oxycodone", "Oxycodone"),
    ("benzodiazepines", "Benzodiazepines"),
    ("cocaine", "Cocaine"),
    ("amphetamines", "Amphetamines"),
    ("cannabis", "Cannabis"),
    ("alcohol", "Alcohol (breath or urine)"),
)
UDS_RESULTS = [("not_tested", "Not tested"), ("negative", "Negative"), ("positive", "Positive")]


class IntakeForm(forms.ModelForm[IntakeAssessment]):
    """Everything the evaluation asks; substance, urine-screen and DSM-5 fields are generated from the enums."""

    dsm5_criteria = forms.MultipleChoiceField(
        required=False,
        choices=[(c.value, f"{c.number}. {c.label}") for c in Criterion],
        widget=forms.CheckboxSelectMultiple,
        label="DSM-5 criteria met in the last 12 months",
    )
    declines_opioid_agonist = forms.BooleanField(required=False, label="Patient declines buprenorphine and methadone")

    class Meta:
        model = IntakeAssessment
        fields = [
            "methadone_daily_mg",
            "prior_complicated_withdrawal",
            "failed_outpatient_attempts",
            "liver_disease",
            "cardiac_disease",
            "last_qtc_ms",
            "last_qtc_on",
            "respiratory_disease",
            "seizure_history",
            "active_infection",
            "medical_notes",
            "psychiatric_history",
            "suicide_risk",
            "psychosis",
            "pregnancy",
            "current_medications",
            "housing",
            "home_support",
            "can_attend_daily",
            "heart_rate",
            "systolic_bp",
            "diastolic_bp",
            "respiratory_rate",
            "temperature_c",
            "spo2",
            "dsm5_criteria",
            "only_under_medical_supervision",
        ]
        labels = {
            "methadone_daily_mg": "Current methadone dose (mg/day), if on methadone (blank if not yet verified)",
            "last_qtc_ms": "Last QTc (ms)",
            "last_qtc_on": "Date of that ECG",
            "temperature_c": "Temperature (°C)",
            "spo2": "SpO2 (%)",
            "only_under_medical_supervision": "Opioids taken only under appropriate medical supervision",
        }
        widgets = {
            **{
                k: forms.Textarea(attrs={"rows": 2})
                for k in ("medical_notes", "psychiatric_history", "current_medications")
            },
            "last_qtc_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        saved_use = self.instance.substance_use if self.instance.pk else {}
        saved_uds = self.instance.urine_drug_screen if self.instance.pk else {}
        for substance in Substance:
            self.fields[f"use_{substance.value}"] = forms.BooleanField(
                required=False, label=substance.label, initial=substance.value in saved_use
            )
            self.fields[f"last_use_{substance.value}"] = forms.DateTimeField(
                required=False,
                label=f"{substance.label}: last use",
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                initial=(saved_use.get(substance.value) or {}).get("last_use"),
                error_messages={"invalid": "Enter the last use as a date and time."},
            )
        for analyte, label in UDS_ANALYTES:
            self.fields[f"uds_{analyte}"] = forms.ChoiceField(
                choices=UDS_RESULTS, label=f"Urine screen: {label}", initial=saved_uds.get(analyte, "not_tested")
            )
        if self.instance.pk:
            self.fields["dsm5_criteria"].initial = self.instance.dsm5_criteria

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key in VITAL_SIGNS:
            value = data.get(key)
            if value is not None and (message := implausible(key, Decimal(value))):
                self.add_error(key, message)
        for substance in Substance:
            if data.get(f"last_use_{substance.value}") and not data.get(f"use_{substance.value}"):
                self.add_error(f"use_{substance.value}", f"A last-use time is given; tick {substance.label} too.")
        if not any(data.get(f"use_{s.value}") for s in Substance):
            self.add_error(None, "Tick at least one substance the patient uses.")
        if data.get("last_qtc_on") and not data.get("last_qtc_ms"):
            self.add_error("last_qtc_ms", "An ECG date is given; give its QTc too.")
        if data.get("last_qtc_on") and data["last_qtc_on"] > timezone.localdate():
            self.add_error("last_qtc_on", "The ECG date is in the future.")
        if (data.get("systolic_bp") or 0) and (data.get("diastolic_bp") or 0) >= (data.get("systolic_bp") or 0):
            self.add_error("diastolic_bp", "Diastolic pressure must be lower than systolic.")
        return data

    def substance_use(self) -> dict[str, dict[str, str | None]]:
        data = self.cleaned_data
        return {
            s.value: {"last_use": data[f"last_use_{s.value}"].isoformat() if data[f"last_use_{s.value}"] else None}
            for s in Substance
            if data.get(f"use_{s.value}")
        }

    def urine_drug_screen(self) -> dict[str, str]:
        return {analyte: self.cleaned_data[f"uds_{analyte}"] for analyte, _ in UDS_ANALYTES}


class MethodDecisionForm(forms.Form):
    """Confirm the recommendation, or choose another method with a reason."""

    decision = forms.ChoiceField(choices=[("confirm", "Confirm the recommendation"), ("override", "Choose another")])
    care_setting = forms.ChoiceField(required=False, choices=[("", "—"), *[(c.value, c.label) for c in CareSetting]])
    withdrawal_medication = forms.ChoiceField(
        required=False,
        choices=[
            ("", "—"),
            *[(m.value, m.label) for m in WithdrawalMedication if m is not WithdrawalMedication.PENDING_VERIFICATION],
        ],
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason (required to override; the written justification for rapid detox)",
    )
    consent_recorded = forms.BooleanField(
        required=False, label="Informed consent recorded (pregnancy, withdrawal instead of medication treatment)"
    )


class TreatmentPlanForm(forms.Form):
    """The plan that intake ends with."""

    protocol_reference = forms.CharField(max_length=200, label="Protocol")
    goals = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    planned_length_days = forms.IntegerField(min_value=1, max_value=90, label="Planned length of stay (days)")
