"""Writers for aftercare and discharge: the plan, its items, the checklist, the discharge itself, follow-up calls."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.aftercare.models import (
    AftercareItem,
    AftercarePlan,
    DischargeChecklist,
    FollowUpOutcome,
    FollowUpTask,
    ItemKind,
)
from detoxflow.audit.services import record_event
from detoxflow.clinical.discharge import (
    ChecklistFacts,
    NaloxoneStatus,
    follow_up_dates,
    missing_for_discharge,
    naltrexone_from,
)
from detoxflow.clinical.rulebook import RuleSet
from detoxflow.clinical.stages import DischargeType, Stage
from detoxflow.directory.models import Resource
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.facilities.rules import rules_in_force
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications.models import MedicationAdministration

SHORT_ACTING = ("heroin", "fentanyl", "prescription_opioids")
LONG_ACTING = ("methadone", "buprenorphine")


def plan_for(episode: Episode) -> AftercarePlan:
    """The episode's plan, created empty the first time."""
    plan, _ = AftercarePlan.objects.get_or_create(episode=episode, defaults={"facility_id": episode.facility_id})
    return plan


def checklist_for(episode: Episode) -> DischargeChecklist:
    """The episode's discharge checklist, created empty the first time."""
    checklist, _ = DischargeChecklist.objects.get_or_create(
        episode=episode, defaults={"facility_id": episode.facility_id}
    )
    return checklist


def _audit(actor: User, episode: Episode, action: str, address: str | None, **detail: Any) -> None:
    record_event(
        actor=actor,
        action=action,
        patient_id=episode.patient_id,
        episode_id=episode.pk,
        address=address,
        object_type="Episode",
        object_id=episode.pk,
        detail=detail,
    )


def update_plan(actor: User, episode: Episode, values: dict[str, str], *, address: str | None) -> AftercarePlan:
    """Relapse-prevention notes and lifestyle goals."""
    plan = plan_for(episode)
    with transaction.atomic():
        plan.relapse_prevention = values.get("relapse_prevention", "").strip()
        plan.lifestyle_goals = values.get("lifestyle_goals", "").strip()
        plan.save(update_fields=["relapse_prevention", "lifestyle_goals"])
        _audit(actor, episode, "aftercare.update", address)
    return plan


def naltrexone_earliest(episode: Episode) -> dt.date | None:
    """The first day XR-naltrexone may start: last short-acting use + 7 days, last agonist dose or use + 14."""
    intake = IntakeAssessment.objects.filter(episode=episode).first()
    uses = intake.substance_use if intake else {}

    def last(names: tuple[str, ...]) -> dt.date | None:
        days = [
            dt.datetime.fromisoformat(uses[n]["last_use"]).date()
            for n in names
            if n in uses and uses[n].get("last_use")
        ]
        return max(days) if days else None

    last_dose = (
        MedicationAdministration.objects.filter(
            episode=episode,
            status="given",
            order__medicine_code__in=("buprenorphine_sl", "buprenorphine_naloxone_film", "methadone_oral"),
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    long_acting = [d for d in (last(LONG_ACTING), timezone.localdate(last_dose) if last_dose else None) if d]
    rules = rules_in_force(episode.facility_id, RuleSet.NALTREXONE).rules
    return naltrexone_from(last(SHORT_ACTING), max(long_acting) if long_acting else None, rules)


def add_item(
    actor: User,
    episode: Episode,
    kind: str,
    *,
    resource: Resource | None,
    appointment_at: dt.datetime | None,
    detail: str,
    address: str | None,
) -> AftercareItem:
    """Add one commitment; naltrexone is refused before the opioid-free interval has passed."""
    if kind not in ItemKind.values:
        raise InvalidInput("kind", "Choose what kind of aftercare this is.")
    if resource is not None and resource.facility_id != episode.facility_id:
        raise InvalidInput("resource", "That directory entry belongs to another facility.")
    if kind == ItemKind.BUPRENORPHINE and resource is None and not detail.strip():
        raise InvalidInput("resource", "Name the buprenorphine prescriber (a directory entry or in the detail).")
    earliest = None
    if kind == ItemKind.NALTREXONE_XR:
        earliest = naltrexone_earliest(episode)
        if earliest is None:
            raise InvalidInput("kind", "No opioid use is recorded at intake; confirm the history before naltrexone.")
        if appointment_at is not None and timezone.localdate(appointment_at) < earliest:
            raise InvalidInput(
                "appointment_at",
                f"Extended-release naltrexone cannot start before {earliest:%a %d %b %Y} "
                f"({rules_in_force(episode.facility_id, RuleSet.NALTREXONE).rules.source}).",
            )
    with transaction.atomic():
        item = AftercareItem.objects.create(
            facility_id=episode.facility_id,
            plan=plan_for(episode),
            kind=kind,
            resource=resource,
            appointment_at=appointment_at,
            detail=detail.strip(),
            earliest_start=earliest,
        )
        _audit(actor, episode, "aftercare.add_item", address, kind=kind)
    return item


def review_with_patient(actor: User, episode: Episode, *, now: dt.datetime, address: str | None) -> AftercarePlan:
    """Record that the plan was gone through with the patient."""
    plan = plan_for(episode)
    if not plan.items.exists():
        raise InvalidInput("plan", "Add at least one aftercare item before reviewing the plan with the patient.")
    with transaction.atomic():
        plan.reviewed_with_patient_at = now
        plan.reviewed_by_name = actor.display_name
        plan.save(update_fields=["reviewed_with_patient_at", "reviewed_by_name"])
        _audit(actor, episode, "aftercare.review", address)
    return plan


def update_checklist(
    actor: User, episode: Episode, values: dict[str, Any], *, address: str | None
) -> DischargeChecklist:
    """Naloxone, overdose education, medication reconciliation."""
    if values["naloxone"] not in NaloxoneStatus.__members__.values():
        raise InvalidInput("naloxone", "Choose what happened when naloxone was offered.")
    if values["naloxone"] == NaloxoneStatus.DECLINED and not values.get("naloxone_decline_reason", "").strip():
        raise InvalidInput("naloxone_decline_reason", "Record why naloxone was declined.")
    checklist = checklist_for(episode)
    with transaction.atomic():
        for name in ("naloxone", "naloxone_decline_reason", "overdose_education", "medications_reconciled"):
            setattr(checklist, name, values.get(name, getattr(checklist, name)))
        checklist.updated_by_name = actor.display_name
        checklist.save()
        _audit(actor, episode, "discharge.checklist", address, naloxone=checklist.naloxone)
    return checklist


def facts_for(episode: Episode) -> ChecklistFacts:
    """Where the discharge steps stand for the episode."""
    plan, checklist = plan_for(episode), checklist_for(episode)
    return ChecklistFacts(
        aftercare_reviewed=plan.reviewed_with_patient_at is not None,
        naloxone=NaloxoneStatus(checklist.naloxone),
        naloxone_decline_reason=checklist.naloxone_decline_reason,
        overdose_education=checklist.overdose_education,
        medications_reconciled=checklist.medications_reconciled,
        follow_up_booked=plan.items.filter(appointment_at__isnull=False).exists(),
    )


def discharge(
    actor: User,
    episode: Episode,
    discharge_type: DischargeType,
    *,
    reason: str,
    now: dt.datetime,
    address: str | None,
) -> Episode:
    """Discharge once the checklist for this kind of discharge is complete, and book the follow-up calls."""
    missing = missing_for_discharge(discharge_type, facts_for(episode))
    if missing:
        raise InvalidInput(
            "discharge", f"Before a {discharge_type.label.lower()} discharge: " + "; ".join(missing) + "."
        )
    with transaction.atomic():
        episode = episode_services.change_stage(
            actor, episode.pk, Stage.DISCHARGED, reason=reason, now=now, address=address, discharge_type=discharge_type
        )
        if discharge_type is not DischargeType.ADMINISTRATIVE:
            today = timezone.localdate(now)
            FollowUpTask.objects.bulk_create(
                [
                    FollowUpTask(facility_id=episode.facility_id, episode=episode, day=(due - today).days, due_on=due)
                    for due in follow_up_dates(today, rules_in_force(episode.facility_id, RuleSet.FOLLOW_UP).rules)
                ]
            )
    return episode


def record_follow_up(
    actor: User, task: FollowUpTask, outcome: str, note: str, *, now: dt.datetime, address: str | None
) -> FollowUpTask:
    """What the call found."""
    if outcome not in FollowUpOutcome.values or outcome == FollowUpOutcome.PENDING:
        raise InvalidInput("outcome", "Choose what the call found.")
    with transaction.atomic():
        task.outcome = outcome
        task.note = note.strip()
        task.called_at = now
        task.called_by_name = actor.display_name
        task.save(update_fields=["outcome", "note", "called_at", "called_by_name"])
        _audit(actor, task.episode, "follow_up.record", address, day=task.day, outcome=outcome)
    return task


def move_episode(
    actor: User,
    episode: Episode,
    target: Stage,
    *,
    reason: str,
    discharge_type: DischargeType | None,
    now: dt.datetime,
    address: str | None,
) -> Episode:
    """The one way screens and API move an episode: discharges go through the checklist and book follow-up."""
    if target is Stage.DISCHARGED and discharge_type is not None:
        return discharge(actor, episode, discharge_type, reason=reason, now=now, address=address)
    return episode_services.change_stage(
        actor, episode.pk, target, reason=reason, now=now, address=address, discharge_type=discharge_type
    )
