"""The only writers of episodes: open, assign a bed, choose the method, move between stages."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action, Role, role_may
from detoxflow.audit.services import record_event
from detoxflow.clinical.stages import (
    CareSetting,
    DischargeType,
    EpisodeFacts,
    Stage,
    TransitionRefused,
    WithdrawalMedication,
    check_transition,
)
from detoxflow.episodes.models import Episode, StageTransition
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.facilities.models import Bed, Housekeeping
from detoxflow.patients.models import Patient


def _record_transition(
    actor: User,
    episode: Episode,
    *,
    source: str,
    target: Stage,
    reason: str,
    at: dt.datetime,
    discharge_type: DischargeType | None = None,
) -> StageTransition:
    return StageTransition.objects.create(
        facility_id=episode.facility_id,
        episode=episode,
        from_stage=source,
        to_stage=target.value,
        discharge_type=discharge_type.value if discharge_type else "",
        at=at,
        by=actor,
        by_name=actor.display_name,
        by_role=actor.role,
        reason=reason,
    )


def open_episode(actor: User, patient: Patient, *, reason: str, now: dt.datetime, address: str | None) -> Episode:
    """Start an episode in pre-admission; a patient with an episode still open cannot have a second."""
    if not reason.strip():
        raise InvalidInput("reason", "Say why the episode is opened (e.g. phone screen, walk-in, referral).")
    try:
        with transaction.atomic():
            episode = Episode.objects.create(facility_id=patient.facility_id, patient=patient, opened_at=now)
            _record_transition(actor, episode, source="", target=Stage.PRE_ADMISSION, reason=reason.strip(), at=now)
            record_event(
                actor=actor,
                action="episode.open",
                patient_id=patient.pk,
                episode_id=episode.pk,
                object_type="Episode",
                object_id=episode.pk,
                address=address,
            )
    except IntegrityError:
        raise Conflict("patient", f"{patient.full_name} already has an open episode; discharge it first.") from None
    return episode


def assign_bed(actor: User, episode: Episode, bed: Bed | None, *, address: str | None) -> Episode:
    """Put the patient in `bed` (or release the bed with None). A taken bed is refused by the database."""
    if not episode.is_open:
        raise InvalidInput("bed", "A discharged episode cannot be given a bed.")
    if bed is not None and bed.facility_id != episode.facility_id:
        raise InvalidInput("bed", "That bed belongs to another facility.")
    if bed is not None and bed.housekeeping != Housekeeping.READY and bed.pk != episode.bed_id:
        raise InvalidInput("bed", f"Bed {bed} is marked '{bed.get_housekeeping_display().lower()}', not ready.")
    previous = (episode.bed_id, episode.unit_id)
    episode.bed = bed
    episode.unit_id = bed.unit_id if bed else episode.unit_id
    try:
        with transaction.atomic():
            episode.save(update_fields=["bed", "unit"])
            record_event(
                actor=actor,
                action="episode.assign_bed",
                patient_id=episode.patient_id,
                episode_id=episode.pk,
                object_type="Bed",
                object_id=bed.pk if bed else "",
                address=address,
            )
    except IntegrityError:
        episode.bed_id, episode.unit_id = previous
        raise Conflict("bed", f"Bed {bed} is already occupied.") from None
    return episode


CARE_TEAM_ROLES = frozenset({Role.NURSE, Role.PHYSICIAN, Role.COUNSELOR})


def assign_care_team(actor: User, episode: Episode, members: list[User], *, address: str | None) -> Episode:
    """Set the clinicians responsible for the episode: nurses, physicians and counselors of its facility."""
    for member in members:
        if member.facility_id != episode.facility_id:
            raise InvalidInput("care_team", f"{member.display_name} does not work at this facility.")
        if member.role not in CARE_TEAM_ROLES:
            raise InvalidInput("care_team", f"{member.display_name} is a {member.role_label.lower()}, not a clinician.")
    with transaction.atomic():
        episode.care_team.set(members)
        record_event(
            actor=actor,
            action="episode.assign_care_team",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="Episode",
            object_id=episode.pk,
            address=address,
            detail={"care_team": sorted(m.pk for m in members)},
        )
    return episode


def choose_care_setting(
    actor: User,
    episode: Episode,
    setting: CareSetting,
    medication: WithdrawalMedication | None,
    *,
    address: str | None,
    override_checked: bool = False,
) -> Episode:
    """Record the detox method decided for the episode.

    `override_checked` is passed only by intake's decide_method, which has already required a
    physician and a written justification for rapid detox.
    """
    if setting is CareSetting.RAPID_UNDER_ANESTHESIA and not override_checked:
        # Reference §12: never recommended; the override path with justification belongs to intake.
        raise InvalidInput(
            "care_setting", "Rapid detox under anesthesia needs a physician override with a written justification."
        )
    episode.care_setting = setting.value
    episode.withdrawal_medication = medication.value if medication else ""
    with transaction.atomic():
        episode.save(update_fields=["care_setting", "withdrawal_medication"])
        record_event(
            actor=actor,
            action="episode.choose_method",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="Episode",
            object_id=episode.pk,
            address=address,
            detail={"care_setting": setting.value, "medication": episode.withdrawal_medication},
        )
    return episode


def action_for(target: Stage) -> Action:
    """Discharging needs its own permission; every other move needs CHANGE_STAGE."""
    return Action.DISCHARGE if target is Stage.DISCHARGED else Action.CHANGE_STAGE


def change_stage(
    actor: User,
    episode_id: int,
    target: Stage,
    *,
    reason: str,
    now: dt.datetime,
    address: str | None,
    discharge_type: DischargeType | None = None,
) -> Episode:
    """Move an episode through the state machine; the row is locked so two moves cannot interleave."""
    with transaction.atomic():
        episode = Episode.objects.select_for_update().get(pk=episode_id)
        facts = EpisodeFacts(
            stage=episode.stage_enum,
            care_setting=CareSetting(episode.care_setting) if episode.care_setting else None,
            has_bed=episode.bed_id is not None,
        )
        try:
            check_transition(facts, target, reason=reason, discharge_type=discharge_type)
        except TransitionRefused as refused:
            field = "reason" if not reason.strip() and len(refused.missing) == 1 else refused.field
            raise InvalidInput(field, refused.message, status_code=409) from refused
        source = episode.stage
        episode.stage = target.value
        fields = ["stage"]
        if target is Stage.EVALUATION and episode.admitted_at is None:
            episode.admitted_at = now
            fields.append("admitted_at")
        if target is Stage.STABILIZATION and episode.next_assessment_due is None:
            # The first COWS is due as soon as stabilization starts.
            episode.next_assessment_due = now
            fields.append("next_assessment_due")
        if target is Stage.DISCHARGED:
            episode.next_assessment_due = None
            fields.append("next_assessment_due")
            episode.discharged_at = now
            episode.discharge_type = discharge_type.value if discharge_type else ""
            fields += ["discharged_at", "discharge_type"]
            if episode.bed_id is not None and source != Stage.PRE_ADMISSION:
                # A bed someone slept in is cleaned before the next patient; a released booking is not.
                Bed.objects.filter(pk=episode.bed_id).update(housekeeping=Housekeeping.CLEANING)
        episode.save(update_fields=fields)
        _record_transition(
            actor, episode, source=source, target=target, reason=reason.strip(), at=now, discharge_type=discharge_type
        )
        record_event(
            actor=actor,
            action="episode.change_stage",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="Episode",
            object_id=episode.pk,
            address=address,
            detail={"from": source, "to": target.value, "discharge_type": episode.discharge_type},
        )
    return episode


def record_arrival(
    actor: User,
    episode_id: int,
    *,
    bed: Bed | None,
    arrived_at: dt.datetime,
    now: dt.datetime,
    address: str | None,
) -> Episode:
    """The patient is here: settle the bed, then move pre-admission to evaluation & intake at the arrival time.

    One transaction, so a bed taken a moment ago leaves the episode waiting in pre-admission with its booking,
    not half-arrived. The stage move goes through change_stage like every other; `admitted_at` and the timeline
    carry the arrival time the nurse gave, not the minute it was typed in.
    """
    if arrived_at > now + dt.timedelta(minutes=1):
        raise InvalidInput("arrived_at", "The arrival time is in the future; give the time the patient arrived.")
    with transaction.atomic():
        episode = Episode.objects.select_for_update(of=("self",)).select_related("bed__unit").get(pk=episode_id)
        if episode.stage_enum is not Stage.PRE_ADMISSION:
            raise InvalidInput(
                "episode",
                f"The arrival is already recorded: this episode is in {episode.stage_enum.label}.",
                status_code=409,
            )
        # The form gives minutes: an arrival in the minute the booking was made is that minute, not before it.
        if arrived_at < episode.opened_at.replace(second=0, microsecond=0):
            opened = episode.opened_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            raise InvalidInput("arrived_at", f"The arrival time is before the episode was opened ({opened}).")
        # ...and is stored no earlier than the opening, so the timeline keeps its order.
        arrived_at = max(arrived_at, episode.opened_at)
        booked = episode.bed
        if (bed.pk if bed else None) != episode.bed_id:
            if not role_may(actor.role, Action.ASSIGN_BED):
                raise InvalidInput(
                    "bed",
                    f"A {actor.role_label.lower()} cannot change the bed; keep the booked bed "
                    f"({booked or 'none'}) or ask a nurse or the intake coordinator.",
                    status_code=403,
                )
            assign_bed(actor, episode, bed, address=address)
        where = f" to bed {bed}" if bed else " (no bed)"
        episode = change_stage(
            actor, episode.pk, Stage.EVALUATION, reason=f"Patient arrived{where}", now=arrived_at, address=address
        )
        record_event(
            actor=actor,
            action="episode.arrive",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="Episode",
            object_id=episode.pk,
            address=address,
            detail={
                "arrived_at": arrived_at.isoformat(),
                "bed": bed.pk if bed else None,
                "booked_bed": booked.pk if booked else None,
            },
        )
    return episode
