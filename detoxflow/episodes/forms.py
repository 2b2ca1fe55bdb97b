"""Forms for opening an episode, assigning a bed, choosing the method and changing stage."""

from __future__ import annotations

from typing import Any

from django import forms

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import role_may
from detoxflow.clinical.stages import CareSetting, DischargeType, Stage, WithdrawalMedication, allowed_targets
from detoxflow.episodes.models import Episode
from detoxflow.episodes.services import CARE_TEAM_ROLES, action_for
from detoxflow.facilities.models import Bed


class OpenEpisodeForm(forms.Form):
    """Why this episode starts: phone screen, walk-in, referral."""

    reason = forms.CharField(
        max_length=500, widget=forms.TextInput(attrs={"placeholder": "e.g. phone screen, walk-in"})
    )


class StageChangeForm(forms.Form):
    """The next stage, chosen from the moves the state machine allows from here."""

    stage = forms.ChoiceField(label="Move to")
    discharge_type = forms.ChoiceField(
        required=False,
        choices=[("", "—")] + [(d.value, d.label) for d in DischargeType],
        help_text="Only when discharging.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, episode: Episode, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offer only the moves the state machine allows from here and this role may make.
        self.fields["stage"].choices = [  # type: ignore[attr-defined]
            (s.value, s.label) for s in allowed_targets(episode.stage_enum) if role_may(role, action_for(s))
        ]
        if Stage.DISCHARGED.value not in dict(self.fields["stage"].choices):  # type: ignore[attr-defined]
            del self.fields["discharge_type"]

    def target(self) -> Stage:
        return Stage(self.cleaned_data["stage"])

    def discharge(self) -> DischargeType | None:
        value = self.cleaned_data.get("discharge_type")
        return DischargeType(value) if value else None


class BedForm(forms.Form):
    """A free bed in the episode's facility."""

    bed = forms.ModelChoiceField(
        queryset=Bed.objects.none(), error_messages={"invalid_choice": "That bed is not in your facility."}
    )

    def __init__(self, *args: Any, facility_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bed"].queryset = Bed.objects.filter(facility_id=facility_id).select_related("unit")  # type: ignore[attr-defined]


class CareTeamForm(forms.Form):
    """The nurses, physicians and counselors responsible for the episode."""

    care_team = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "%(value)s is not a clinician at this facility."},
    )

    def __init__(self, *args: Any, facility_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["care_team"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            facility_id=facility_id, role__in=CARE_TEAM_ROLES, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["care_team"].label_from_instance = lambda u: f"{u.display_name} ({u.role_label})"  # type: ignore[attr-defined]


class CareSettingForm(forms.Form):
    """The detox method decided at intake. Rapid detox is not offered here (reference §12)."""

    care_setting = forms.ChoiceField(
        choices=[(c.value, c.label) for c in CareSetting if c is not CareSetting.RAPID_UNDER_ANESTHESIA]
    )
    withdrawal_medication = forms.ChoiceField(choices=[(m.value, m.label) for m in WithdrawalMedication])
