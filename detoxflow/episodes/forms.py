"""Forms for opening an episode, the patient's arrival, a bed, the care team, the method and changing stage."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role, role_may
from detoxflow.clinical.stages import CareSetting, DischargeType, Stage, WithdrawalMedication, allowed_targets
from detoxflow.episodes.models import Episode
from detoxflow.episodes.services import CARE_TEAM_ROLES, action_for
from detoxflow.facilities.models import Bed
from detoxflow.facilities.queries import free_beds


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
        # Offer only the moves the state machine allows from here and this role may make. Arrival is its own
        # action ("Patient arrived": bed and time), so it is not offered as a bare stage change.
        self.fields["stage"].choices = [  # type: ignore[attr-defined]
            (s.value, s.label)
            for s in allowed_targets(episode.stage_enum)
            if role_may(role, action_for(s)) and not _is_arrival(episode.stage_enum, s)
        ]
        if Stage.DISCHARGED.value not in dict(self.fields["stage"].choices):  # type: ignore[attr-defined]
            del self.fields["discharge_type"]
        if episode.stage_enum is Stage.PRE_ADMISSION:
            # "evaluation is not one of the available choices" would tell a nurse nothing.
            self.fields["stage"].error_messages["invalid_choice"] = (
                "Record the arrival with “Patient arrived” (bed and arrival time); it starts evaluation & intake."
            )

    def target(self) -> Stage:
        return Stage(self.cleaned_data["stage"])

    def discharge(self) -> DischargeType | None:
        value = self.cleaned_data.get("discharge_type")
        return DischargeType(value) if value else None


def _is_arrival(current: Stage, target: Stage | None) -> bool:
    return current is Stage.PRE_ADMISSION and target is Stage.EVALUATION


class ArrivalForm(forms.Form):
    """The patient is here: which bed (the booked one unless changed) and when they arrived."""

    bed = forms.ModelChoiceField(
        queryset=Bed.objects.none(),
        required=False,
        empty_label="No bed (outpatient, or not decided yet)",
        error_messages={"invalid_choice": "That bed is not free; pick another."},
    )
    arrived_at = forms.DateTimeField(
        label="Arrival time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": "Give the arrival time.", "invalid": "Enter the arrival time as a date and time."},
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        # Now, to the minute: the input shows minutes, and a nurse records arrival as it happens.
        now = timezone.now().replace(second=0, microsecond=0)
        kwargs.setdefault("initial", {"bed": episode.bed_id, "arrived_at": now})
        super().__init__(*args, **kwargs)
        # The free beds, and the one held for this patient (reserved, so not "free").
        beds = (
            Bed.objects.filter(Q(pk__in=free_beds(episode.facility_id).values("pk")) | Q(pk=episode.bed_id))
            .select_related("unit")
            .order_by("unit__name", "label")
        )
        self.fields["bed"].queryset = beds  # type: ignore[attr-defined]
        self.fields["bed"].label_from_instance = (  # type: ignore[attr-defined]
            lambda bed: f"{bed.unit.name} {bed.label}" + (" (booked)" if bed.pk == episode.bed_id else "")
        )
        if episode.bed_id:
            self.fields["bed"].help_text = "The booked bed is chosen; change it if the patient goes elsewhere."


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


class CareTeamByRoleForm(forms.Form):
    """The care team as intake asks for it: one attending physician, one primary nurse, one counselor."""

    ROLES = (
        ("physician", Role.PHYSICIAN, "Attending physician"),
        ("nurse", Role.NURSE, "Primary nurse"),
        ("counselor", Role.COUNSELOR, "Counselor"),
    )

    physician = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    nurse = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    counselor = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        self.current = list(episode.care_team.all())
        initial = {name: next((m.pk for m in self.current if m.role == role), None) for name, role, _ in self.ROLES}
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for name, role, label in self.ROLES:
            field = self.fields[name]
            field.label = label
            field.queryset = User.objects.filter(  # type: ignore[attr-defined]
                facility_id=episode.facility_id, role=role, is_active=True
            ).order_by("last_name", "first_name")
            field.empty_label = "Not assigned"  # type: ignore[attr-defined]
            field.label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]
            field.error_messages["invalid_choice"] = f"That person is not a {role.label.lower()} at this facility."

    def members(self) -> list[User]:
        """The team to save: an unchanged role keeps everyone it had (a second nurse stays); a changed one is
        replaced by the person chosen."""
        team: list[User] = []
        for name, role, _ in self.ROLES:
            chosen: User | None = self.cleaned_data.get(name)
            of_role = [m for m in self.current if m.role == role]
            if chosen is not None and chosen in of_role:
                team += of_role
            elif chosen is not None:
                team.append(chosen)
        return team

    def missing(self) -> list[str]:
        """The roles nobody on the team holds yet, for the prompt."""
        return [label for _, role, label in self.ROLES if not any(m.role == role for m in self.current)]


class CareSettingForm(forms.Form):
    """The detox method decided at intake. Rapid detox is not offered here (reference §12)."""

    care_setting = forms.ChoiceField(
        choices=[(c.value, c.label) for c in CareSetting if c is not CareSetting.RAPID_UNDER_ANESTHESIA]
    )
    withdrawal_medication = forms.ChoiceField(choices=[(m.value, m.label) for m in WithdrawalMedication])
