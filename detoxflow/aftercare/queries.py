"""Read side of aftercare: follow-up calls due and coming up, the orders a discharge must decide on, and the
outcomes report with the definition of each figure."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from detoxflow.accounts.access import get_for
from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action
from detoxflow.aftercare.models import AftercareItem, FollowUpOutcome, FollowUpTask
from detoxflow.clinical.stages import DischargeType
from detoxflow.episodes.models import Episode
from detoxflow.medications.models import MedicationAdministration, MedicationRequest

# How far ahead the follow-up list looks: two weeks covers the day-2 and day-7 calls of this week's discharges.
UPCOMING_DAYS = 14


def calls_due(user: User, today: dt.date) -> list[FollowUpTask]:
    """Pending follow-up calls due today or earlier that the user may make (their unit's patients, or the
    facility's), oldest first."""
    return list(
        FollowUpTask.objects.restrict(user, Action.CALL_FOLLOW_UP)
        .filter(outcome=FollowUpOutcome.PENDING, due_on__lte=today)
        .select_related("episode__patient")
        .order_by("due_on", "pk")
    )


@dataclass(frozen=True)
class CallsByDay:
    """The pending calls of one day still ahead, for planning the week's phoning."""

    day: dt.date
    tasks: list[FollowUpTask]


def calls_coming_up(user: User, today: dt.date, days: int = UPCOMING_DAYS) -> list[CallsByDay]:
    """Pending calls due after today and within `days`, that the user may make, grouped by the day they are due."""
    tasks = (
        FollowUpTask.objects.restrict(user, Action.CALL_FOLLOW_UP)
        .filter(outcome=FollowUpOutcome.PENDING, due_on__gt=today, due_on__lte=today + dt.timedelta(days=days))
        .select_related("episode__patient")
        .order_by("due_on", "pk")
    )
    grouped: dict[dt.date, list[FollowUpTask]] = defaultdict(list)
    for task in tasks:
        grouped[task.due_on].append(task)
    return [CallsByDay(day, grouped[day]) for day in sorted(grouped)]


@dataclass(frozen=True)
class OrderToDecide:
    """An order still active as the patient leaves, with the dose of the day and where its taper stands."""

    order: MedicationRequest
    dose_mg: Decimal
    # The taper's last planned day when it is still ahead: the taper is unfinished.
    taper_planned_until: dt.date | None


def orders_to_decide(episode: Episode, today: dt.date) -> list[OrderToDecide]:
    """The episode's active orders, each with today's dose (a taper's step for today) and an unfinished taper's
    last day; for an episode the caller has already opened with get_episode_for. Two queries, however many orders."""
    active = (
        MedicationRequest.objects.filter(episode=episode, stopped_at__isnull=True)
        .prefetch_related("tapers")
        .order_by("signed_at", "pk")
    )
    decided = []
    for order in active:
        newest = max(order.tapers.all(), key=lambda plan: plan.version, default=None)
        if newest is None:
            decided.append(OrderToDecide(order, order.dose_mg, None))
            continue
        # As the MAR reads a taper (medications.queries.taper_dose): the step of the day, the last step holding after.
        steps = [(dt.date.fromisoformat(day), Decimal(mg)) for day, mg in newest.steps]
        dose = next((mg for day, mg in steps if day == today), steps[-1][1] if today > steps[-1][0] else order.dose_mg)
        decided.append(OrderToDecide(order, dose, steps[-1][0] if steps[-1][0] > today else None))
    return decided


def get_follow_up_for(request: HttpRequest, task_id: int, action: Action) -> FollowUpTask:
    """The follow-up call if the role allows `action` (403), in the user's facility (404) and its patient within
    their unit (403)."""
    return get_for(
        request, FollowUpTask.objects.select_related("episode"), task_id, action, missing="No such follow-up call."
    )


def get_item_for(request: HttpRequest, item_id: int, action: Action) -> AftercareItem:
    """The aftercare item if the role allows `action` (403), in the user's facility (404) and its patient within
    their unit (403)."""
    return get_for(
        request,
        AftercareItem.objects.select_related("plan__episode__patient", "resource"),
        item_id,
        action,
        missing="No such aftercare item.",
    )


@dataclass(frozen=True)
class Figure:
    """One number on the report, with exactly how it was counted."""

    key: str
    label: str
    value: str
    definition: str


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}% ({part}/{whole})" if whole else "— (none)"


def outcomes(facility_id: int, start: dt.date, end: dt.date) -> tuple[list[Figure], dict[str, float]]:
    """The report's figures for [start, end] (local dates, inclusive), and mean length of stay by method."""
    episodes = Episode.objects.filter(facility_id=facility_id)
    admitted = episodes.filter(admitted_at__date__gte=start, admitted_at__date__lte=end)
    discharged = list(
        episodes.filter(discharged_at__date__gte=start, discharged_at__date__lte=end)
        .exclude(discharge_type=DischargeType.ADMINISTRATIVE)
        .select_related("patient")
    )
    mat = admitted.filter(
        Exists(
            MedicationAdministration.objects.filter(
                episode=OuterRef("pk"),
                status="given",
                order__medicine_code__in=("buprenorphine_sl", "buprenorphine_naloxone_film", "methadone_oral"),
            )
        )
    ).count()
    completed = sum(1 for e in discharged if e.discharge_type == DischargeType.COMPLETED)
    ama = sum(1 for e in discharged if e.discharge_type == DischargeType.AGAINST_MEDICAL_ADVICE)
    stays: dict[str, list[float]] = defaultdict(list)
    for e in discharged:
        if e.admitted_at and e.discharged_at:
            method = f"{e.get_care_setting_display() or 'No setting'} · {e.get_withdrawal_medication_display() or '—'}"
            stays[method].append((e.discharged_at - e.admitted_at).total_seconds() / 86400)
    day30 = FollowUpTask.objects.filter(episode__in=[e.pk for e in discharged], day=30).exclude(
        outcome__in=[FollowUpOutcome.PENDING, FollowUpOutcome.UNREACHABLE]
    )
    in_treatment = day30.filter(outcome=FollowUpOutcome.IN_TREATMENT).count()
    later = Episode.objects.filter(facility_id=facility_id, admitted_at__isnull=False).values_list(
        "patient_id", "admitted_at"
    )
    admissions_by_patient: dict[int, list[dt.datetime]] = defaultdict(list)
    for patient_id, at in later:
        if at is not None:
            admissions_by_patient[patient_id].append(at)
    readmitted = sum(
        1
        for e in discharged
        if e.discharged_at
        and any(
            e.discharged_at < at <= e.discharged_at + dt.timedelta(days=30)
            for at in admissions_by_patient[e.patient_id]
        )
    )
    figures = [
        Figure(
            "admissions",
            "Admissions",
            str(admitted.count()),
            "Episodes whose admission (arrival for intake) falls in the period.",
        ),
        Figure(
            "completion_rate",
            "Completion rate",
            _pct(completed, len(discharged)),
            "Discharges in the period with type 'completed', out of all discharges in the period except "
            "administrative ones (no-shows, referrals before arrival).",
        ),
        Figure(
            "ama",
            "Discharges against medical advice",
            str(ama),
            "Discharges in the period with type 'against medical advice'.",
        ),
        Figure(
            "mat_started",
            "Started on MAT",
            _pct(mat, admitted.count()),
            "Admissions in the period with at least one buprenorphine or methadone dose recorded as given.",
        ),
        Figure(
            "retention_30",
            "In treatment at 30 days",
            _pct(in_treatment, day30.count()),
            "Of the day-30 follow-up calls made for patients discharged in the period (unreachable and not yet "
            "called excluded), the share answered 'in treatment'.",
        ),
        Figure(
            "readmissions_30",
            "Readmitted within 30 days",
            _pct(readmitted, len(discharged)),
            "Discharges in the period (except administrative) followed by a new admission of the same patient "
            "at this facility within 30 days.",
        ),
    ]
    mean_stay = {method: sum(days) / len(days) for method, days in sorted(stays.items())}
    return figures, mean_stay
