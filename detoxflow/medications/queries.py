"""Read side of medications: the facts the safety check needs, and the MAR of an episode."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from detoxflow.accounts.access import get_for
from detoxflow.accounts.permissions import Action
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.clinical.formulary import FORMULARY, Family
from detoxflow.clinical.protocols import OrderKind
from detoxflow.clinical.rulebook import RuleSet
from detoxflow.clinical.safety import (
    OPIOID_KINDS,
    GivenDose,
    Observation,
    OrderLimits,
    PatientFacts,
    SafetyRules,
    Verdict,
    check_dose,
    names_a_benzodiazepine,
)
from detoxflow.clinical.schedule import DoseTiming, dose_lateness
from detoxflow.episodes.models import Episode
from detoxflow.facilities.rules import rules_in_force
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications.models import (
    AdministrationStatus,
    MaintenanceOffer,
    MedicationAdministration,
    MedicationRequest,
    TaperPlan,
)
from detoxflow.patients.models import Allergy

# Intake substances whose last use the safety check reads (reference §4, §7).
_SEDATIVES = ("benzodiazepines", "alcohol")


def get_order_for(request: HttpRequest, order_id: int, action: Action) -> MedicationRequest:
    """The order if the role allows `action` (403), in the user's facility (404) and its patient within their
    unit (403), with its episode and patient for the MAR it returns to."""
    return get_for(
        request,
        MedicationRequest.objects.select_related("episode__patient"),
        order_id,
        action,
        missing="No such order in your facility.",
    )


def tapers_of(episode: Episode) -> QuerySet[TaperPlan]:
    """Every taper version of an episode the caller has already opened with get_episode_for."""
    return TaperPlan.objects.filter(order__episode=episode)


def maintenance_offer_of(episode: Episode) -> MaintenanceOffer | None:
    """The documented maintenance offer of an episode already opened with get_episode_for, if made."""
    return MaintenanceOffer.objects.filter(episode=episode).first()


@dataclass(frozen=True)
class DoseContext:
    """Everything about the patient the safety check reads, loaded once."""

    patient: PatientFacts
    latest: Observation | None
    doses: tuple[GivenDose, ...]
    active_orders: tuple[MedicationRequest, ...]
    rules: SafetyRules


def patient_facts(intake: IntakeAssessment | None, allergies: tuple[str, ...]) -> PatientFacts:
    """The intake answers the safety check reads, as the pure rule takes them."""
    if intake is None:
        return PatientFacts(allergies=allergies)
    last_opioid_use: dict[str, dt.datetime] = {}
    no_time: set[str] = set()
    sedative_use: dict[str, dt.datetime | None] = {}
    for substance, use in intake.substance_use.items():
        when = dt.datetime.fromisoformat(use["last_use"]) if (use or {}).get("last_use") else None
        if substance in OPIOID_KINDS:
            if when is None:
                no_time.add(substance)
            else:
                last_opioid_use[substance] = when
        elif substance in _SEDATIVES:
            sedative_use[substance] = when
    if names_a_benzodiazepine(intake.current_medications):
        # A current prescription: taken now, whatever the last-use box says.
        sedative_use["benzodiazepines"] = None
    return PatientFacts(
        allergies=allergies,
        pregnant=intake.pregnancy in ("yes", "possible"),
        qtc_ms=intake.last_qtc_ms,
        qtc_measured_on=intake.last_qtc_on,
        last_opioid_use=last_opioid_use,
        opioids_without_last_use=frozenset(no_time),
        sedative_use=sedative_use,
        liver_disease=intake.liver_disease,
        # Alcohol recorded at a detox intake is taken as heavy use: the safe side for the liver.
        heavy_alcohol_use="alcohol" in intake.substance_use,
    )


def dose_context(episode: Episode, now: dt.datetime) -> DoseContext:
    """Intake facts and allergies, the newest COWS with vitals, a week of doses, active orders and the rules.

    Six queries whatever the history (pinned by a test); doses are read as plain rows, since building
    a model per dose was most of the cost.
    """
    intake = IntakeAssessment.objects.filter(episode=episode).first()
    allergies = tuple(Allergy.objects.filter(patient_id=episode.patient_id).values_list("substance", flat=True))
    newest = (
        WithdrawalAssessment.objects.filter(episode=episode, instrument="COWS").order_by("-assessed_at", "-pk").first()
    )
    latest = None
    if newest is not None:
        latest = Observation(
            at=timezone.localtime(newest.assessed_at),
            cows=newest.total,
            systolic_bp=newest.systolic_bp,
            diastolic_bp=newest.diastolic_bp,
            heart_rate=newest.heart_rate,
            respiratory_rate=newest.respiratory_rate,
            spo2=newest.spo2,
            sedation=newest.sedation,
        )
    given = MedicationAdministration.objects.filter(
        episode=episode, status=AdministrationStatus.GIVEN, at__gte=now - dt.timedelta(days=7)
    ).values_list("order__medicine_code", "dose_mg", "at")
    doses = tuple(
        # Local times: the rules print them in their messages, and nurses read the unit's clock.
        GivenDose(code, FORMULARY[code].family, dose_mg, timezone.localtime(at))
        for code, dose_mg, at in given
    )
    active = tuple(MedicationRequest.objects.filter(episode=episode, stopped_at__isnull=True))
    rules = rules_in_force(episode.facility_id, RuleSet.DOSE_SAFETY).rules
    return DoseContext(
        patient=patient_facts(intake, allergies), latest=latest, doses=doses, active_orders=active, rules=rules
    )


def limits_of(order: MedicationRequest, dose_mg: Decimal) -> OrderLimits:
    """The order's copied limits as the pure check takes them."""
    return OrderLimits(
        dose_mg=dose_mg,
        min_interval_minutes=order.min_interval_minutes,
        single_dose_max_mg=order.single_dose_max_mg,
        daily_max_mg=order.daily_max_mg,
        cows_at_least=order.cows_at_least,
        first_dose_max_mg=order.first_dose_max_mg,
        first_day_max_mg=order.first_day_max_mg,
    )


def check_order(order: MedicationRequest, dose_mg: Decimal, context: DoseContext, now: dt.datetime) -> Verdict:
    """Run the safety check for one dose of `order`."""
    others = [o.medicine_code for o in context.active_orders if o.pk != order.pk]
    return check_dose(
        FORMULARY[order.medicine_code],
        limits_of(order, dose_mg),
        patient=context.patient,
        latest=context.latest,
        doses=context.doses,
        active_families=frozenset(FORMULARY[code].family for code in others),
        active_medicines=frozenset(others),
        now=timezone.localtime(now),
        rules=context.rules,
    )


def due_slots(order: MedicationRequest, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Scheduled doses of the order due in [start, end)."""
    if order.kind != OrderKind.SCHEDULED:
        return []
    step = dt.timedelta(minutes=order.min_interval_minutes)
    stop = min(end, order.stopped_at) if order.stopped_at else end
    first = order.starts_at
    if first < start:
        first += step * -(-(start - first) // step)
    slots = []
    while first < stop:
        slots.append(first)
        first += step
    return slots


@dataclass(frozen=True)
class MarLine:
    """One active order on the MAR with its doses today and what the safety check says right now."""

    order: MedicationRequest
    family: Family
    recorded: list[MedicationAdministration]
    open_slots: list[dt.datetime]
    verdict: Verdict
    dose_now: Decimal
    taper_version: int | None = None


def mar_for_episode(episode: Episode, now: dt.datetime, *, hours_back: int = 24) -> list[MarLine]:
    """Active orders with the last day's records, scheduled slots not yet recorded, and a live safety preview."""
    context = dose_context(episode, now)
    since = now - dt.timedelta(hours=hours_back)
    records = list(MedicationAdministration.objects.filter(episode=episode, at__gte=since).order_by("at"))
    lines = []
    for order in context.active_orders:
        mine = [r for r in records if r.order_id == order.pk]
        done = {r.due_at for r in mine if r.due_at}
        slots = [s for s in due_slots(order, since, now + dt.timedelta(hours=1)) if s not in done]
        tapered = taper_dose(order, timezone.localdate(now))
        dose = tapered[1] if tapered else order.dose_mg
        verdict = check_order(order, dose, context, now)
        family = FORMULARY[order.medicine_code].family
        lines.append(MarLine(order, family, mine, slots, verdict, dose, tapered[0].version if tapered else None))
    return lines


def doses_for_chart(episode: Episode) -> list[tuple[dt.datetime, str]]:
    """Given doses of the episode as (time, label), for the marks on the withdrawal trend chart."""
    given = MedicationAdministration.objects.filter(episode=episode, status=AdministrationStatus.GIVEN).order_by("at")
    return [(a.at, f"{a.order.medicine_name} {a.dose_mg.normalize():f} mg") for a in given.select_related("order")]


def late_and_missed(episode_ids: list[int], now: dt.datetime, timing: DoseTiming) -> dict[int, dict[str, int]]:
    """Per episode, how many scheduled doses of the last day are late or missed (no record): two queries."""
    since = now - dt.timedelta(hours=24)
    orders = list(
        MedicationRequest.objects.filter(episode_id__in=episode_ids, kind=OrderKind.SCHEDULED, stopped_at__isnull=True)
    )
    recorded = set(
        MedicationAdministration.objects.filter(order__in=orders, due_at__gte=since).values_list("order_id", "due_at")
    )
    counts: dict[int, dict[str, int]] = {}
    for order in orders:
        for slot in due_slots(order, since, now):
            state = None if (order.pk, slot) in recorded else dose_lateness(slot, now, timing)
            if state:
                episode_counts = counts.setdefault(order.episode_id, {"late": 0, "missed": 0})
                episode_counts[state] += 1
    return counts


def taper_dose(order: MedicationRequest, day: dt.date) -> tuple[TaperPlan, Decimal] | None:
    """The newest taper version's dose for `day`, if the order follows a taper (the last step holds after)."""
    plan = order.tapers.order_by("-version").first()
    if plan is None or day < plan.start_date:
        return None
    dose = Decimal(plan.steps[-1][1])
    for date, mg in plan.steps:
        if dt.date.fromisoformat(date) == day:
            dose = Decimal(mg)
    return plan, dose


def open_slots(order: MedicationRequest, now: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """Scheduled doses of the last 24 hours and the next hour with no record yet, each due, late or missed."""
    since = now - dt.timedelta(hours=24)
    recorded = set(
        MedicationAdministration.objects.filter(order=order, due_at__gte=since).values_list("due_at", flat=True)
    )
    timing = rules_in_force(order.facility_id, RuleSet.DOSE_TIMING).rules
    return [
        (slot, dose_lateness(slot, now, timing) or "due")
        for slot in due_slots(order, since, now + dt.timedelta(hours=1))
        if slot not in recorded
    ]
