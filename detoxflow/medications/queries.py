"""Read side of medications: the facts the safety check needs, and the MAR of an episode."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, prefetch_related_objects
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
    ControlledLedgerEntry,
    MaintenanceOffer,
    MedicationAdministration,
    MedicationRequest,
    OverrideScope,
    SafetyOverride,
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
class LastDose:
    """The newest dose given of an order's medicine: when, how much, by whom (when on this page's records)."""

    at: dt.datetime
    dose_mg: Decimal
    by_name: str


@dataclass(frozen=True)
class Readiness:
    """Where the next dose of an order stands, in calm words: the hard stop itself shows only when someone tries.

    `state` is one of ready, override, needs_observation, wait, not_indicated, hold, limit, review.
    """

    state: str
    words: str


# Which hard stops mean "a COWS is due first" or "vitals are due first" rather than "no" (clinical/safety.py).
_NEEDS_COWS = {"cows-required", "induction-cows"}
_NEEDS_VITALS = {"alpha2-vitals", "sedation-check"}
_HOLD = {"alpha2-hold", "respiratory-rate", "spo2", "sedation"}


def readiness(
    verdict: Verdict,
    *,
    latest: Observation | None,
    next_from: dt.datetime | None,
    override: SafetyOverride | None,
    now: dt.datetime,
    fresh_minutes: int,
) -> Readiness:
    """The verdict as a nurse reads it on the round: what would let the next dose through, not a red stop.

    The first matching reason wins, in the order a nurse acts on them: charting first, then waiting, then
    the doses that are simply not indicated or held, then what only a physician can settle.
    """
    stops = {f.rule_id for f in verdict.hard_stops}
    if not stops:
        return Readiness("ready", "Ready")
    if override is not None and override.lets_through(stops, now):
        until = timezone.localtime(override.valid_until)
        return Readiness("override", f"Ready: override by {override.authorised_by_name} until {until:%H:%M}")
    fresh = latest is not None and latest.cows is not None and now - latest.at <= dt.timedelta(minutes=fresh_minutes)
    cows = latest.cows if latest is not None and latest.cows is not None else "–"
    reasons = [
        (bool(stops & _NEEDS_COWS) and not fresh, "needs_observation", "Needs a COWS first"),
        (bool(stops & _NEEDS_VITALS), "needs_observation", "Needs vitals first"),
        ("too-soon" in stops and next_from is not None, "wait", f"Not before {_clock(next_from)}"),
        (bool(stops & {"cows-below-trigger", "induction-cows"}), "not_indicated", f"Not indicated now (COWS {cows})"),
        (bool(stops & _HOLD), "hold", "Hold: see the vitals"),
        ("daily-max" in stops, "limit", "24-hour maximum reached"),
    ]
    state, words = next(((state, words) for applies, state, words in reasons if applies), ("review", ""))
    return Readiness(state, words or "Needs a physician's review")


def _clock(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%H:%M}" if moment is not None else ""


@dataclass(frozen=True)
class MarLine:
    """One active order on the MAR with its doses, the facts beside it, and where its next dose stands."""

    order: MedicationRequest
    family: Family
    recorded: list[MedicationAdministration]
    open_slots: list[dt.datetime]
    verdict: Verdict
    dose_now: Decimal
    taper_version: int | None = None
    last_dose: LastDose | None = None
    # The family's doses in the last 24 hours, as the daily-maximum rule counts them, against the order's maximum.
    given_24h: Decimal = Decimal(0)
    latest: Observation | None = None
    # The earliest time the order's minimum interval allows another dose; None when no dose stands in the way.
    next_from: dt.datetime | None = None
    readiness: Readiness = Readiness("ready", "Ready")
    # The newest physician's authorisation still open on the order, if any.
    override: SafetyOverride | None = None


def mar_for_episode(
    episode: Episode, now: dt.datetime, *, hours_back: int = 24, since: dt.datetime | None = None
) -> list[MarLine]:
    """Active orders with their records since `since` (default: the last day), open scheduled slots, the facts
    beside each order (last dose, 24-hour total, last COWS, next dose from) and a live safety verdict.

    Nine queries whatever the number of orders or doses: the six of dose_context, the records, every order's
    tapers in one, and the open overrides in one.
    """
    context = dose_context(episode, now)
    since = min(since, now - dt.timedelta(hours=hours_back)) if since else now - dt.timedelta(hours=hours_back)
    # A slot's record counts by its due time too: a 07:00 dose recorded at 06:55 belongs to the shift from 07:00.
    records = list(
        MedicationAdministration.objects.filter(Q(at__gte=since) | Q(due_at__gte=since), episode=episode).order_by("at")
    )
    prefetch_related_objects(list(context.active_orders), "tapers")
    overrides: dict[int, SafetyOverride] = {}
    for open_override in SafetyOverride.objects.filter(
        order__in=context.active_orders, authorised_at__lte=now, valid_until__gt=now
    ).order_by("-authorised_at", "-pk"):
        if open_override.scope == OverrideScope.UNTIL or open_override.used_at is None:
            overrides.setdefault(open_override.order_id, open_override)
    day_ago = timezone.localtime(now) - dt.timedelta(hours=24)
    lines = []
    for order in context.active_orders:
        mine = [r for r in records if r.order_id == order.pk]
        done = {r.due_at for r in mine if r.due_at}
        slots = [s for s in due_slots(order, since, now + dt.timedelta(hours=1)) if s not in done]
        tapered = taper_dose(order, timezone.localdate(now))
        dose = tapered[1] if tapered else order.dose_mg
        verdict = check_order(order, dose, context, now)
        family = FORMULARY[order.medicine_code].family
        same = [d for d in context.doses if d.medicine_code == order.medicine_code]
        newest = max(same, key=lambda d: d.at, default=None)
        last_dose = None
        if newest is not None:
            by = next((r.by_name for r in reversed(mine) if r.status == AdministrationStatus.GIVEN), "")
            last_dose = LastDose(newest.at, newest.dose_mg, by)
        earliest = newest.at + dt.timedelta(minutes=order.min_interval_minutes) if newest else None
        next_from = earliest if earliest and earliest > timezone.localtime(now) else None
        given_24h = sum((d.dose_mg for d in context.doses if d.family is family and d.at > day_ago), Decimal(0))
        override = overrides.get(order.pk)
        lines.append(
            MarLine(
                order,
                family,
                mine,
                slots,
                verdict,
                dose,
                tapered[0].version if tapered else None,
                last_dose=last_dose,
                given_24h=given_24h,
                latest=context.latest,
                next_from=next_from,
                readiness=readiness(
                    verdict,
                    latest=context.latest,
                    next_from=next_from,
                    override=override,
                    now=now,
                    fresh_minutes=context.rules.observation_fresh_minutes,
                ),
                override=override,
            )
        )
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
    # all(), not order_by(): the MAR prefetches every order's tapers in one query, and this reads from it.
    plan = max(order.tapers.all(), key=lambda p: p.version, default=None)
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


# The round's columns: one 8-hour nursing shift, the same "once per 8-hour shift" the reassessment defaults use
# (clinical/schedule.py); shifts start at these local hours.
SHIFT_STARTS = (7, 15, 23)
SHIFT_HOURS = 8


def shift_around(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The nursing shift (local start and end) that `moment` falls in."""
    local = timezone.localtime(moment)
    starts = [
        local.replace(hour=h, minute=0, second=0, microsecond=0) + dt.timedelta(days=day)
        for day in (-1, 0)
        for h in SHIFT_STARTS
    ]
    start = max(s for s in starts if s <= local)
    return start, start + dt.timedelta(hours=SHIFT_HOURS)


@dataclass(frozen=True)
class SlotMark:
    """One mark in an hour of the round: a scheduled dose in its state, or an as-needed dose given or not."""

    state: str  # given, held, refused, not_available (recorded); due, late, missed, scheduled (not yet recorded)
    at: dt.datetime
    record: MedicationAdministration | None = None

    @property
    def words(self) -> str:
        return _MARK_WORDS[self.state]

    @property
    def open(self) -> bool:
        """A scheduled dose still waiting for its record, which the round lets the nurse record now."""
        return self.record is None and self.state in ("due", "late", "missed")


_MARK_WORDS = {
    **{s.value: str(s.label) for s in AdministrationStatus},
    "refused": "Refused",
    "due": "Due",
    "late": "Late",
    "missed": "Missed",
    "scheduled": "Scheduled",
}


@dataclass(frozen=True)
class RoundRow:
    """One order of one patient on the round: its hour cells across the shift (hour, marks), and its MAR line."""

    episode: Episode
    line: MarLine
    cells: list[tuple[dt.datetime, list[SlotMark]]]


def round_for_unit(
    episodes: list[Episode], now: dt.datetime, start: dt.datetime, timing: DoseTiming
) -> tuple[list[dt.datetime], list[RoundRow]]:
    """The unit's time-slot medication record for the shift from `start`: hour columns, and per order its marks.

    Scheduled doses sit in the hour they are due (given, held, refused, not available once recorded;
    due, late or missed while not; scheduled while ahead). As-needed doses sit in the hour they were recorded.
    """
    hours = [start + dt.timedelta(hours=k) for k in range(SHIFT_HOURS)]
    end = start + dt.timedelta(hours=SHIFT_HOURS)

    def column(at: dt.datetime) -> int:
        # Elapsed hours from the start; clamped, as a daylight-saving change makes a shift 7 or 9 hours long.
        return min(max(int((at - start) // dt.timedelta(hours=1)), 0), SHIFT_HOURS - 1)

    rows = []
    for episode in episodes:
        for line in mar_for_episode(episode, now, since=start):
            cells: list[list[SlotMark]] = [[] for _ in hours]
            by_slot = {r.due_at: r for r in line.recorded if r.due_at}
            for slot in due_slots(line.order, start, end):
                record = by_slot.get(slot)
                if record is not None:
                    mark = SlotMark(record.status, slot, record)
                elif slot > now + dt.timedelta(hours=1):
                    mark = SlotMark("scheduled", slot)
                else:
                    mark = SlotMark(dose_lateness(slot, now, timing) or "due", slot)
                cells[column(slot)].append(mark)
            for record in line.recorded:
                if record.due_at is None and start <= record.at < end:
                    cells[column(record.at)].append(SlotMark(record.status, record.at, record))
            rows.append(RoundRow(episode, line, list(zip(hours, cells, strict=True))))
    return hours, rows


# Lines of the controlled-substance log a page shows.
LOG_PAGE_SIZE = 50


def controlled_log_page(
    entries: QuerySet[ControlledLedgerEntry], filters: dict[str, Any], *, offset: int, limit: int
) -> list[ControlledLedgerEntry]:
    """One page of the (already restricted) log, newest first, with each dispense's patient: one query.

    Dates are the unit's local days; `person` matches who made the entry or who witnessed it.
    """
    rows = entries.select_related("stock__unit", "administration__episode__patient")
    if filters.get("medicine_code"):
        rows = rows.filter(stock__medicine_code=filters["medicine_code"])
    if filters.get("unit"):
        rows = rows.filter(stock__unit=filters["unit"])
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    if filters.get("since"):
        rows = rows.filter(at__gte=_local_midnight(filters["since"]))
    if filters.get("until"):
        rows = rows.filter(at__lt=_local_midnight(filters["until"] + dt.timedelta(days=1)))
    if filters.get("person"):
        rows = rows.filter(Q(by_name__icontains=filters["person"]) | Q(witness_name__icontains=filters["person"]))
    return list(rows.order_by("-at", "-pk")[offset : offset + limit])


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))
