"""The structured intake form, the method decision and the treatment plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils import timezone

from detoxflow.admissions.models import PhoneScreen, Route
from detoxflow.clinical.dsm5 import Criterion
from detoxflow.clinical.stages import CareSetting, WithdrawalMedication
from detoxflow.clinical.triage import Substance
from detoxflow.clinical.vitals import VITAL_SIGNS, implausible
from detoxflow.intake.models import IntakeAssessment, Pregnancy

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
VITAL_SIGNS_ORDER = ("heart_rate", "systolic_bp", "diastolic_bp", "respiratory_rate", "temperature_c", "spo2")


# Opioids: the phone screen's "hours since last use" and "route" are asked about the main opioid.
OPIOIDS = frozenset(
    {
        Substance.HEROIN,
        Substance.FENTANYL,
        Substance.PRESCRIPTION_OPIOIDS,
        Substance.METHADONE,
        Substance.BUPRENORPHINE,
    }
)


@dataclass(frozen=True)
class Section:
    """One part of the intake, in the order a nurse asks it; `fields` are the form's field names."""

    key: str
    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class SectionState:
    """A section as the page shows it: its fields, what is still unanswered and what was refused."""

    section: Section
    fields: list[BoundField]
    missing: list[str]
    errors: list[tuple[str, str, str]]  # (field label, message, element id to jump to)
    count: int | None = None  # DSM-5: criteria ticked

    @property
    def key(self) -> str:
        return self.section.key

    @property
    def title(self) -> str:
        return self.section.title

    @property
    def complete(self) -> bool:
        return not self.missing and not self.errors and self.count != 0

    @property
    def status(self) -> str:
        if self.errors:
            return f"needs attention ({len(self.errors)})"
        if self.missing:
            return f"{len(self.missing)} to answer"
        if self.count is not None:
            return f"{self.count} of {len(Criterion)} ticked" if self.count else "none ticked yet"
        return "complete"


SUBSTANCE_FIELDS = tuple(
    name for s in Substance for name in (f"use_{s.value}", f"last_use_{s.value}", f"route_{s.value}")
)
SECTIONS = (
    Section("substances", "Substances and last use", (*SUBSTANCE_FIELDS, "methadone_daily_mg")),
    Section(
        "medical",
        "Medical",
        (
            "pregnancy",
            "prior_complicated_withdrawal",
            "seizure_history",
            "failed_outpatient_attempts",
            "liver_disease",
            "cardiac_disease",
            "last_qtc_ms",
            "last_qtc_on",
            "respiratory_disease",
            "active_infection",
            "current_medications",
            "medical_notes",
        ),
    ),
    Section("psychiatric", "Psychiatric", ("suicide_risk", "psychosis", "psychiatric_history")),
    Section(
        "social",
        "Social situation and wishes",
        ("housing", "home_support", "can_attend_daily", "declines_opioid_agonist"),
    ),
    Section("vitals", "Vital signs", tuple(VITAL_SIGNS_ORDER)),
    Section("uds", "Urine drug screen", tuple(f"uds_{a}" for a, _ in UDS_ANALYTES)),
    Section("dsm5", "DSM-5 criteria", ("dsm5_criteria", "only_under_medical_supervision")),
)
NO_SUBSTANCE = "Tick at least one substance the patient uses."


class IntakeForm(forms.ModelForm[IntakeAssessment]):
    """Everything the evaluation asks, in SECTIONS order; substance, urine-screen and DSM-5 fields come from the enums.

    A new assessment starts from the phone screen's answers (`phone_screen`) so nothing the caller said is
    typed twice; the fields it filled are listed in `prefilled` and shown as such, and stay editable.
    """

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

    def __init__(self, *args: Any, phone_screen: PhoneScreen | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        saved_use = self.instance.substance_use if self.instance.pk else {}
        saved_uds = self.instance.urine_drug_screen if self.instance.pk else {}
        for substance in Substance:
            saved = saved_use.get(substance.value) or {}
            self.fields[f"use_{substance.value}"] = forms.BooleanField(
                required=False, label=substance.label, initial=substance.value in saved_use
            )
            self.fields[f"last_use_{substance.value}"] = forms.DateTimeField(
                required=False,
                label=f"{substance.label}: last use",
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                initial=dt.datetime.fromisoformat(saved["last_use"]) if saved.get("last_use") else None,
                error_messages={"invalid": "Enter the last use as a date and time."},
            )
            self.fields[f"route_{substance.value}"] = forms.ChoiceField(
                required=False,
                label=f"{substance.label}: route",
                choices=[("", "—"), *Route.choices],
                initial=saved.get("route") or "",
            )
        for analyte, label in UDS_ANALYTES:
            self.fields[f"uds_{analyte}"] = forms.ChoiceField(
                choices=UDS_RESULTS, label=f"Urine screen: {label}", initial=saved_uds.get(analyte, "not_tested")
            )
        if self.instance.pk:
            self.fields["dsm5_criteria"].initial = self.instance.dsm5_criteria
        self.section_errors: dict[str, list[str]] = {}
        self.prefilled: set[str] = set()
        self.phone_screen = phone_screen if not self.instance.pk else None
        if self.phone_screen is not None:
            self._prefill(self.phone_screen)

    def _prefill(self, screen: PhoneScreen) -> None:
        """Start from what the caller told the phone screen: substances, last use, route and pregnancy."""
        initial: dict[str, Any] = {}
        said = [Substance(s) for s in screen.substances if s in Substance.__members__.values()]
        # The screen asks last use and route about the main opioid; apply them to the opioids ticked.
        timed = [s for s in said if s in OPIOIDS] or said
        last_use = (
            screen.screened_at - dt.timedelta(hours=screen.hours_since_last_use)
            if screen.hours_since_last_use is not None
            else None
        )
        for substance in said:
            initial[f"use_{substance.value}"] = True
        for substance in timed:
            if last_use is not None:
                initial[f"last_use_{substance.value}"] = last_use
            if screen.route in Route.values:
                initial[f"route_{substance.value}"] = screen.route
        if screen.pregnancy in Pregnancy.values:
            initial["pregnancy"] = screen.pregnancy
        if screen.prior_complicated_withdrawal:
            initial["prior_complicated_withdrawal"] = True
        for name, value in initial.items():
            self.fields[name].initial = value
            self.fields[name].widget.attrs["aria-describedby"] = "prefill-note"
        self.prefilled = set(initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key in VITAL_SIGNS:
            value = data.get(key)
            if value is not None and (message := implausible(key, Decimal(value))):
                self.add_error(key, message)
        for substance in Substance:
            if data.get(f"use_{substance.value}"):
                continue
            if data.get(f"last_use_{substance.value}"):
                self.add_error(f"use_{substance.value}", f"A last-use time is given; tick {substance.label} too.")
            elif data.get(f"route_{substance.value}"):
                self.add_error(f"use_{substance.value}", f"A route is given; tick {substance.label} too.")
        if not any(data.get(f"use_{s.value}") for s in Substance):
            self.add_error(None, NO_SUBSTANCE)
            self.section_errors.setdefault("substances", []).append(NO_SUBSTANCE)
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
            s.value: {
                "last_use": data[f"last_use_{s.value}"].isoformat() if data[f"last_use_{s.value}"] else None,
                "route": data.get(f"route_{s.value}") or None,
            }
            for s in Substance
            if data.get(f"use_{s.value}")
        }

    def urine_drug_screen(self) -> dict[str, str]:
        return {analyte: self.cleaned_data[f"uds_{analyte}"] for analyte, _ in UDS_ANALYTES}

    def sections(self) -> list[SectionState]:
        """Each section with what is unanswered and what was refused, for the section list and the error summary."""
        states = []
        for section in SECTIONS:
            bound = [self[name] for name in section.fields]
            missing = [str(f.label) for f in bound if f.field.required and _unanswered(f.value())]
            if section.key == "substances" and not any(_ticked(self[f"use_{s.value}"].value()) for s in Substance):
                missing.insert(0, "at least one substance")
            errors = [(str(f.label), str(e), f.id_for_label) for f in bound for e in f.errors]
            errors = [("", e, f"section-{section.key}") for e in self.section_errors.get(section.key, [])] + errors
            count = None
            if section.key == "dsm5":
                count = len(self["dsm5_criteria"].value() or [])
            states.append(SectionState(section, bound, missing, errors, count))
        return states

    def substance_rows(self) -> list[tuple[BoundField, BoundField, BoundField]]:
        """(ticked, last use, route) for each substance, the substances table's rows."""
        return [(self[f"use_{s.value}"], self[f"last_use_{s.value}"], self[f"route_{s.value}"]) for s in Substance]

    def other_errors(self) -> list[str]:
        """Form-wide errors that belong to no section (e.g. the episode is not in evaluation)."""
        placed = {e for errors in self.section_errors.values() for e in errors}
        return [str(e) for e in self.non_field_errors() if str(e) not in placed]


def _unanswered(value: object) -> bool:
    return value is None or value in ("", [])


def _ticked(value: object) -> bool:
    # A bound checkbox's value() is already a bool; an unbound one is its initial.
    return bool(value) and value not in ("false", "False", "0", "off")


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
