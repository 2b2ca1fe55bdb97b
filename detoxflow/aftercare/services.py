"""Writers for aftercare and discharge: the plan, its items, the checklist, the discharge itself, follow-up calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action, role_may
from detoxflow.aftercare.models import (
    RESOURCE_KINDS,
    AftercareItem,
    AftercarePlan,
    DischargeChecklist,
    DischargeMedication,
    FollowUpOutcome,
    FollowUpTask,
    ItemKind,
    OrderDisposition,
)
from detoxflow.aftercare.queries import OrderToDecide, orders_to_decide
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
from detoxflow.directory.models import Resource, ResourceKind
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.facilities.rules import rules_in_force
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications import services as medication_services
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


def _iso(at: dt.datetime | None) -> str | None:
    # Audit detail is JSON: times go in as ISO 8601 text.
    return at.isoformat() if at else None


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


def _checked_item(
    episode: Episode,
    kind: str,
    *,
    resource: Resource | None,
    appointment_at: dt.datetime | None,
    detail: str,
) -> dt.date | None:
    """Refuse an item that cannot stand, naming the field; return naltrexone's first possible day."""
    if not episode.is_open:
        raise InvalidInput("plan", "The patient is discharged; the aftercare plan can no longer change.")
    if kind not in ItemKind.values:
        raise InvalidInput("kind", "Choose what kind of aftercare this is.")
    if resource is not None and resource.facility_id != episode.facility_id:
        raise InvalidInput("resource", "That directory entry belongs to another facility.")
    if resource is not None and resource.kind not in RESOURCE_KINDS[ItemKind(kind)]:
        raise InvalidInput(
            "resource",
            f"{resource.name} is listed as {ResourceKind(resource.kind).label.lower()}, which does not offer "
            f"{ItemKind(kind).label.lower()}; choose another entry or the kind 'Other'.",
        )
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
    return earliest


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
    earliest = _checked_item(episode, kind, resource=resource, appointment_at=appointment_at, detail=detail)
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
        _audit(actor, episode, "aftercare.add_item", address, item_id=item.pk, kind=kind)
    return item


def update_item(
    actor: User,
    item: AftercareItem,
    kind: str,
    *,
    resource: Resource | None,
    appointment_at: dt.datetime | None,
    detail: str,
    address: str | None,
) -> AftercareItem:
    """Change one commitment (a moved appointment, another group), under the same checks as adding it."""
    episode = item.plan.episode
    earliest = _checked_item(episode, kind, resource=resource, appointment_at=appointment_at, detail=detail)
    before = {"kind": item.kind, "resource_id": item.resource_id, "appointment_at": _iso(item.appointment_at)}
    with transaction.atomic():
        item.kind = kind
        item.resource = resource
        item.appointment_at = appointment_at
        item.detail = detail.strip()
        item.earliest_start = earliest
        item.save(update_fields=["kind", "resource", "appointment_at", "detail", "earliest_start"])
        _audit(
            actor,
            episode,
            "aftercare.update_item",
            address,
            item_id=item.pk,
            before=before,
            after={"kind": kind, "resource_id": item.resource_id, "appointment_at": _iso(appointment_at)},
        )
    return item


def remove_item(actor: User, item: AftercareItem, *, address: str | None) -> None:
    """Take a commitment off the plan; the audit keeps what it was."""
    episode = item.plan.episode
    if not episode.is_open:
        raise InvalidInput("plan", "The patient is discharged; the aftercare plan can no longer change.")
    removed = {
        "item_id": item.pk,
        "kind": item.kind,
        "resource": item.resource.name if item.resource else "",
        "appointment_at": _iso(item.appointment_at),
        "detail": item.detail,
    }
    with transaction.atomic():
        item.delete()
        _audit(actor, episode, "aftercare.remove_item", address, **removed)


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


def check_ready(episode: Episode, discharge_type: DischargeType) -> None:
    """Refuse, listing what is missing, when the checklist for this kind of discharge is not complete."""
    missing = missing_for_discharge(discharge_type, facts_for(episode))
    if missing:
        raise InvalidInput(
            "discharge", f"Before a {discharge_type.label.lower()} discharge: " + "; ".join(missing) + "."
        )


@dataclass(frozen=True)
class OrderDecision:
    """What the discharging clinician decided for one active order: stopped, or continued by whom."""

    disposition: str
    continued_by: str = ""


def _decided(
    actor: User, episode: Episode, orders: Mapping[int, OrderDecision], today: dt.date
) -> list[tuple[OrderToDecide, OrderDecision]]:
    """Every order still active, each with its decision; refuse, naming the order's field, when one is missing."""
    pending = orders_to_decide(episode, today)
    if pending and not role_may(actor.role, Action.SIGN_ORDER):
        raise InvalidInput(
            "orders",
            f"{len(pending)} medication order(s) are still active; what happens to them at discharge is a "
            "prescriber's decision: ask a physician to discharge this patient.",
        )
    errors = []
    for item in pending:
        order, decision = item.order, orders.get(item.order.pk)
        if decision is None or decision.disposition not in OrderDisposition.values:
            errors.append((f"order-{order.pk}", f"Say whether {order.medicine_name} is stopped or continued."))
        elif decision.disposition == OrderDisposition.CONTINUED and not decision.continued_by.strip():
            errors.append(
                (f"continued_by-{order.pk}", f"Name who continues {order.medicine_name} (prescriber or program).")
            )
    if errors:
        raise InvalidInput(errors[0][0], errors[0][1], field_errors=errors)
    return [(item, orders[item.order.pk]) for item in pending]


def discharge(
    actor: User,
    episode: Episode,
    discharge_type: DischargeType,
    *,
    reason: str,
    now: dt.datetime,
    address: str | None,
    orders: Mapping[int, OrderDecision] | None = None,
) -> Episode:
    """Discharge once the checklist for this kind of discharge is complete and every active order has a decision
    (stopped, or continued by a named prescriber or program), and book the follow-up calls.

    The decisions are kept on the discharge record: the summary lists what the patient leaves on and what was
    stopped, so the receiving clinician never has to guess whether a taper was finished.
    """
    check_ready(episode, discharge_type)
    today = timezone.localdate(now)
    with transaction.atomic():
        # Read the orders inside the transaction: one signed between the confirmation page and now has no decision.
        decisions = _decided(actor, episode, orders or {}, today)
        for item, decision in decisions:
            if decision.disposition == OrderDisposition.STOPPED:
                medication_services.stop_order(
                    actor,
                    item.order,
                    reason=f"Stopped at discharge ({discharge_type.label.lower()}): {reason.strip()}",
                    now=now,
                    address=address,
                )
        episode = episode_services.change_stage(
            actor, episode.pk, Stage.DISCHARGED, reason=reason, now=now, address=address, discharge_type=discharge_type
        )
        DischargeMedication.objects.bulk_create(
            [
                DischargeMedication(
                    facility_id=episode.facility_id,
                    episode=episode,
                    order=item.order,
                    disposition=decision.disposition,
                    continued_by=decision.continued_by.strip()
                    if decision.disposition == OrderDisposition.CONTINUED
                    else "",
                    medicine_name=item.order.medicine_name,
                    dose_mg=item.dose_mg,
                    taper_planned_until=item.taper_planned_until,
                    decided_at=now,
                    decided_by_name=actor.display_name,
                )
                for item, decision in decisions
            ]
        )
        if decisions:
            _audit(
                actor,
                episode,
                "discharge.medications",
                address,
                orders={str(item.order.pk): decision.disposition for item, decision in decisions},
            )
        if discharge_type is not DischargeType.ADMINISTRATIVE:
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
    if task.outcome != FollowUpOutcome.PENDING:
        raise InvalidInput(
            "outcome", f"This call was already recorded by {task.called_by_name}: {task.get_outcome_display()}."
        )
    # A day-30 answer given on day 20 is not a day-30 outcome: the report counts calls by their day.
    if timezone.localdate(now) < task.due_on:
        raise InvalidInput("outcome", f"This is the day-{task.day} call, due {task.due_on:%a %d %b}; record it then.")
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
    orders: Mapping[int, OrderDecision] | None = None,
) -> Episode:
    """The one way screens and API move an episode: discharges go through the checklist and book follow-up.

    A discharge with orders still active needs a decision for each (`orders`); without them it is refused with a
    pointer to the aftercare page, which asks.
    """
    if target is Stage.DISCHARGED and discharge_type is not None:
        active = orders_to_decide(episode, timezone.localdate(now))
        if active and orders is None:
            names = ", ".join(f"{item.order.medicine_name} {item.dose_mg.normalize():f} mg" for item in active)
            raise InvalidInput(
                "orders",
                f"Still active: {names}. Discharge from the Aftercare & discharge page, which asks what happens "
                "to each order (stopped, or continued by whom).",
                status_code=409,
            )
        return discharge(actor, episode, discharge_type, reason=reason, now=now, address=address, orders=orders)
    return episode_services.change_stage(
        actor, episode.pk, target, reason=reason, now=now, address=address, discharge_type=discharge_type
    )
