"""Writers for medications: sign and stop orders, and record doses behind the safety check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Action, role_may
from detoxflow.assessments.services import reschedule
from detoxflow.audit.actions import AuditAction
from detoxflow.audit.services import record_event
from detoxflow.clinical.formulary import FORMULARY
from detoxflow.clinical.protocols import PUBLISHED_PROTOCOLS, OrderKind
from detoxflow.clinical.stages import Stage
from detoxflow.episodes.models import Episode
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.medications import ledger
from detoxflow.medications.models import (
    AdministrationStatus,
    MedicationAdministration,
    MedicationRequest,
    OverrideScope,
    SafetyOverride,
)
from detoxflow.medications.protocols import as_protocol, current_protocols
from detoxflow.medications.queries import check_order, dose_context, due_slots, taper_dose


class SafetyStop(InvalidInput):
    """The safety check found hard stops no physician's authorisation covers; nothing was saved."""

    status_code = 409

    def __init__(self, stops: list[dict[str, str]], *, hint: str = "") -> None:
        super().__init__("dose", "Hard stop: " + "; ".join(s["message"] for s in stops) + "." + hint)
        self.stops = stops


# Words for every hard stop of the dose check (clinical/safety.py), keyed by rule id: what a physician may
# set aside by name through the API. A test holds this list to the rule ids the check emits as stops.
HARD_STOPS = {
    "allergy": "Recorded allergy",
    "alpha2-hold": "Blood pressure or pulse below the hold values",
    "alpha2-vitals": "No recent blood pressure and pulse",
    "cows-below-trigger": "COWS below the order's trigger",
    "cows-required": "No recent COWS",
    "daily-max": "24-hour maximum",
    "induction-cows": "First buprenorphine dose: COWS",
    "induction-hours": "First buprenorphine dose: time since last opioid",
    "methadone-first-day": "Methadone first-day maximum",
    "methadone-first-dose": "Methadone first-dose maximum",
    "qt-risk": "QTc with a QT-prolonging medicine",
    "qt-risk-with-methadone": "QT-prolonging medicine beside methadone",
    "qtc": "QTc at or above the stop value",
    "qtc-unknown": "No QTc on record",
    "respiratory-rate": "Respiratory rate below the hold value",
    "sedation": "Sedation at an unacceptable level",
    "sedation-check": "No recent sedation check",
    "single-dose-max": "Single-dose maximum",
    "spo2": "SpO2 below the hold value",
    "too-soon": "Minimum time between doses",
}

# How long "the next dose" stays authorised: a stop set aside for a dose that is not given soon was judged
# on facts that have moved on (a newer COWS, vitals, another dose), so it lapses and the check stands again.
NEXT_DOSE_VALID_MINUTES = 120
# The longest window a physician may authorise: the 24-hour limits reset within it; longer is a new order.
LONGEST_WINDOW = dt.timedelta(hours=24)


def _findings(findings: tuple[Any, ...]) -> list[dict[str, str]]:
    return [{"rule_id": f.rule_id, "message": f.message, "source": f.source} for f in findings]


def sign_order(
    actor: User,
    episode: Episode,
    values: dict[str, Any],
    *,
    built_from: str,
    starts_at: dt.datetime,
    now: dt.datetime,
    address: str | None,
) -> MedicationRequest:
    """Sign an order; its limits may be tighter than the formulary's, never looser."""
    if episode.discharged_at is not None or episode.stage_enum is Stage.PRE_ADMISSION:
        raise InvalidInput("episode", "Orders are signed from intake until discharge.")
    medicine = FORMULARY.get(values.get("medicine_code", ""))
    if medicine is None:
        raise InvalidInput("medicine_code", "Choose a medicine from the formulary.")
    if values["kind"] not in OrderKind.__members__.values():
        raise InvalidInput("kind", "Choose scheduled, as needed or COWS-triggered.")
    dose, single, daily = values["dose_mg"], values["single_dose_max_mg"], values["daily_max_mg"]
    if dose <= 0:
        raise InvalidInput("dose_mg", "The dose must be above zero.")
    if single > medicine.single_dose_max_mg:
        raise InvalidInput(
            "single_dose_max_mg",
            f"Above the formulary's single-dose maximum for {medicine.name} "
            f"({medicine.single_dose_max_mg.normalize():f} mg).",
        )
    if dose > single:
        raise InvalidInput("dose_mg", "The dose is above the order's own single-dose maximum.")
    if daily > medicine.daily_max_mg:
        raise InvalidInput(
            "daily_max_mg",
            f"Above the formulary's 24-hour maximum for {medicine.name} ({medicine.daily_max_mg.normalize():f} mg).",
        )
    if values["min_interval_minutes"] < 1:
        raise InvalidInput("min_interval_minutes", "Give the minimum minutes between doses.")
    if values["kind"] == OrderKind.SYMPTOM_TRIGGERED and not values.get("cows_at_least"):
        raise InvalidInput("cows_at_least", "A COWS-triggered order needs its COWS trigger.")
    with transaction.atomic():
        order = MedicationRequest.objects.create(
            facility_id=episode.facility_id,
            episode=episode,
            medicine_code=medicine.code,
            medicine_name=medicine.name,
            kind=values["kind"],
            dose_mg=dose,
            min_interval_minutes=values["min_interval_minutes"],
            single_dose_max_mg=single,
            daily_max_mg=daily,
            cows_at_least=values.get("cows_at_least"),
            first_dose_max_mg=values.get("first_dose_max_mg"),
            first_day_max_mg=values.get("first_day_max_mg"),
            instructions=values.get("instructions", ""),
            built_from=built_from,
            starts_at=starts_at,
            signed_at=now,
            signed_by=actor,
            signed_by_name=actor.display_name,
        )
        record_event(
            actor=actor,
            action="order.sign",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="MedicationRequest",
            object_id=order.pk,
            address=address,
            detail={"medicine": medicine.code, "dose_mg": str(dose), "built_from": built_from},
        )
    return order


def sign_protocol(
    actor: User, episode: Episode, protocol_code: str, *, now: dt.datetime, address: str | None
) -> list[MedicationRequest]:
    """Sign every line of a protocol as it stands now: the facility's newest version, else the published one."""
    own = next((p for p in current_protocols(actor.facility_id) if p.code == protocol_code), None)
    protocol = as_protocol(own) if own else PUBLISHED_PROTOCOLS.get(protocol_code)
    if protocol is None:
        raise InvalidInput("protocol", "Choose a protocol.")
    origin = "facility protocol" if own else "published protocol"
    with transaction.atomic():
        return [
            sign_order(
                actor,
                episode,
                {
                    "medicine_code": line.medicine_code,
                    "kind": line.kind.value,
                    "dose_mg": line.dose_mg,
                    "min_interval_minutes": line.min_interval_minutes,
                    "single_dose_max_mg": line.single_dose_max_mg,
                    "daily_max_mg": line.daily_max_mg,
                    "cows_at_least": line.cows_at_least,
                    "first_dose_max_mg": line.first_dose_max_mg,
                    "first_day_max_mg": line.first_day_max_mg,
                    "instructions": line.instructions,
                },
                built_from=f"{protocol.name} ({origin}; {protocol.source})",
                starts_at=now,
                now=now,
                address=address,
            )
            for line in protocol.lines
        ]


def stop_order(actor: User, order: MedicationRequest, *, reason: str, now: dt.datetime, address: str | None) -> None:
    """Stop an active order, with the prescriber's reason; its history stays on the MAR."""
    if order.stopped_at is not None:
        raise InvalidInput("order", "This order is already stopped.")
    if not reason.strip():
        raise InvalidInput("reason", "Say why the order is stopped (e.g. taper finished, side effects, discharge).")
    with transaction.atomic():
        order.stopped_at = now
        order.stopped_by_name = actor.display_name
        order.stop_reason = reason.strip()
        order.save(update_fields=["stopped_at", "stopped_by_name", "stop_reason"])
        record_event(
            actor=actor,
            action="order.stop",
            patient_id=order.episode.patient_id,
            episode_id=order.episode_id,
            object_type="MedicationRequest",
            object_id=order.pk,
            address=address,
            detail={"reason": order.stop_reason},
        )


def authorise_override(
    actor: User,
    order_id: int,
    *,
    reason: str,
    scope: str,
    until: dt.datetime | None,
    rule_ids: list[str] | None,
    now: dt.datetime,
    address: str | None,
) -> SafetyOverride:
    """A physician sets aside hard stops of one order, for the next dose or for doses until a time.

    Without `rule_ids` it covers the hard stops standing now, as the physician sees them on the order;
    with them, only those named. The dose itself is recorded afterwards by whoever gives it.
    """
    if not role_may(actor.role, Action.OVERRIDE_SAFETY_STOP):
        raise InvalidInput("override", "Only a physician can authorise an override of a hard stop.", status_code=403)
    if not reason.strip():
        raise InvalidInput("reason", "Say why the hard stop is set aside (e.g. COWS 12 charted on paper).")
    valid_until = _override_ends(scope, until, now)
    with transaction.atomic():
        order = MedicationRequest.objects.select_for_update().select_related("episode__patient").get(pk=order_id)
        if order.stopped_at is not None:
            raise InvalidInput("order", f"{order.medicine_name} is stopped; there is no dose to override.")
        tapered = taper_dose(order, timezone.localdate(now))
        dose = tapered[1] if tapered else order.dose_mg
        standing = _findings(check_order(order, dose, dose_context(order.episode, now), now).hard_stops)
        if rule_ids:
            unknown = sorted(set(rule_ids) - set(HARD_STOPS))
            if unknown:
                raise InvalidInput(
                    "rule_ids", f"Not a hard stop of the dose check: {', '.join(unknown)}.", status_code=422
                )
            covered = sorted(set(rule_ids))
        else:
            covered = sorted({s["rule_id"] for s in standing})
            if not covered:
                raise InvalidInput("order", "No hard stop stands for this order now; there is nothing to override.")
        override = SafetyOverride.objects.create(
            facility_id=order.facility_id,
            order=order,
            scope=scope,
            rule_ids=covered,
            hard_stops=[s for s in standing if s["rule_id"] in covered],
            reason=reason.strip(),
            authorised_at=now,
            authorised_by=actor,
            authorised_by_name=actor.display_name,
            valid_until=valid_until,
        )
        record_event(
            actor=actor,
            action=AuditAction.OVERRIDE_AUTHORISE,
            patient_id=order.episode.patient_id,
            episode_id=order.episode_id,
            object_type="SafetyOverride",
            object_id=override.pk,
            address=address,
            detail={
                "order": order.pk,
                "rule_ids": covered,
                "scope": scope,
                "valid_until": valid_until.isoformat(),
                "reason": override.reason,
            },
        )
    return override


def _override_ends(scope: str, until: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When an authorisation lapses: NEXT_DOSE_VALID_MINUTES from now for the next dose, else `until`."""
    if scope not in OverrideScope.values:
        raise InvalidInput("scope", "Choose the next dose only, or doses until a time.")
    if scope == OverrideScope.NEXT_DOSE:
        return now + dt.timedelta(minutes=NEXT_DOSE_VALID_MINUTES)
    if until is None:
        raise InvalidInput("until", "Give the time the override ends.")
    if until <= now:
        raise InvalidInput("until", "The end of the override must be later than now.")
    if until - now > LONGEST_WINDOW:
        raise InvalidInput("until", "An override can last at most 24 hours; beyond that, write a new order.")
    return until


def _override_for(order: MedicationRequest, stops: list[dict[str, str]], now: dt.datetime) -> SafetyOverride:
    """The newest authorisation of the order that covers every stop standing now; else the stop stands.

    Called under the order's row lock, so a next-dose authorisation is spent by one dose only.
    """
    standing = {s["rule_id"] for s in stops}
    candidates = list(SafetyOverride.objects.filter(order=order, authorised_at__lte=now, valid_until__gt=now))
    for override in candidates:
        if override.lets_through(standing, now):
            return override
    usable = [o for o in candidates if o.lets_through(set(), now)]
    if not usable:
        raise SafetyStop(stops, hint=" A physician can authorise an override on this order.")
    newest = usable[0]
    uncovered = [s for s in stops if s["rule_id"] not in newest.rule_ids]
    raise SafetyStop(
        uncovered,
        hint=f" The override authorised by {newest.authorised_by_name} does not cover it; a physician must review.",
    )


def _still_given_here(order: MedicationRequest, episode: Episode) -> None:
    """Refuse a dose of a stopped order, or of any order once the patient is discharged."""
    if order.stopped_at is not None:
        raise InvalidInput(
            "order", f"{order.medicine_name} was stopped at {timezone.localtime(order.stopped_at):%H:%M}."
        )
    if episode.discharged_at is not None:
        # An order continued after discharge is the receiving prescriber's now; nobody here gives its doses.
        raise InvalidInput("order", "The patient has been discharged; doses are no longer recorded here.")


def record_administration(
    actor: User,
    order_id: int,
    *,
    status: str,
    dose_mg: Decimal | None,
    due_at: dt.datetime | None,
    reason: str,
    now: dt.datetime,
    address: str | None,
) -> MedicationAdministration:
    """Record given / held / refused / not available. A given dose passes the safety check, or every hard
    stop standing is covered by a physician's authorisation on the order (authorise_override).

    The order row is locked first, so two nurses recording the same dose at once are serialised:
    the second sees the first's record (and its dose in the 24-hour count), and a next-dose override
    lets one of them through, never both.
    """
    if status not in AdministrationStatus.values:
        raise InvalidInput("status", "Choose given, held, refused or not available.")
    if status != AdministrationStatus.GIVEN and not reason.strip():
        raise InvalidInput("reason", "Say why the dose was not given.")
    with transaction.atomic():
        order = MedicationRequest.objects.select_for_update().select_related("episode__patient").get(pk=order_id)
        episode = order.episode
        _still_given_here(order, episode)
        if due_at is not None:
            if due_at not in due_slots(order, due_at, due_at + dt.timedelta(seconds=1)):
                raise InvalidInput("due_at", "That time is not a scheduled dose of this order.")
            earlier = MedicationAdministration.objects.filter(order=order, due_at=due_at).first()
            if earlier is not None:
                raise Conflict(
                    "due_at",
                    f"This dose was already recorded ({earlier.get_status_display().lower()}) by "
                    f"{earlier.by_name} at {timezone.localtime(earlier.at):%H:%M}.",
                )
        tapered = taper_dose(order, timezone.localdate(now))
        dose = dose_mg if dose_mg is not None else (tapered[1] if tapered else order.dose_mg)
        stops: list[dict[str, str]] = []
        warnings: list[dict[str, str]] = []
        override = None
        if status == AdministrationStatus.GIVEN:
            verdict = check_order(order, dose, dose_context(episode, now), now)
            stops, warnings = _findings(verdict.hard_stops), _findings(verdict.warnings)
            if stops:
                override = _override_for(order, stops, now)
        try:
            administration = MedicationAdministration.objects.create(
                facility_id=episode.facility_id,
                episode=episode,
                order=order,
                due_at=due_at,
                status=status,
                dose_mg=dose if status == AdministrationStatus.GIVEN else Decimal(0),
                at=now,
                by=actor,
                by_name=actor.display_name,
                reason=reason.strip(),
                hard_stops=stops,
                warnings=warnings,
                override=override,
                override_by_name=override.authorised_by_name if override else "",
                override_reason=override.reason if override else "",
            )
        except IntegrityError:
            raise Conflict("due_at", "This dose was recorded by someone else a moment ago.") from None
        if override is not None and override.scope == OverrideScope.NEXT_DOSE:
            SafetyOverride.objects.filter(pk=override.pk).update(used_at=now)
        if status == AdministrationStatus.GIVEN and FORMULARY[order.medicine_code].controlled:
            ledger.dispense(actor, administration, now=now, address=address)
        if status == AdministrationStatus.GIVEN and FORMULARY[order.medicine_code].family.value in WITHDRAWAL_FAMILIES:
            reschedule(episode, now=now, last_dose_at=now)
        record_event(
            actor=actor,
            action="dose.record",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="MedicationAdministration",
            object_id=administration.pk,
            address=address,
            detail={
                "status": status,
                "dose_mg": str(administration.dose_mg),
                "override": bool(override),
                "override_id": override.pk if override else None,
                "override_by": administration.override_by_name,
            },
        )
    return administration


# A dose of these is followed by the hourly reassessment (reference §1).
WITHDRAWAL_FAMILIES = frozenset({"buprenorphine", "methadone", "alpha2_agonist", "benzodiazepine"})
