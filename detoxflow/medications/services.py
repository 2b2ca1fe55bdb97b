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
from detoxflow.audit.services import record_event
from detoxflow.clinical.formulary import FORMULARY
from detoxflow.clinical.protocols import PUBLISHED_PROTOCOLS, OrderKind
from detoxflow.clinical.stages import Stage
from detoxflow.episodes.models import Episode
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.medications import ledger
from detoxflow.medications.models import AdministrationStatus, MedicationAdministration, MedicationRequest
from detoxflow.medications.protocols import as_protocol, current_protocols
from detoxflow.medications.queries import check_order, dose_context, due_slots, taper_dose


class SafetyStop(InvalidInput):
    """The safety check found hard stops and nobody with the right role overrode them; nothing was saved."""

    status_code = 409

    def __init__(self, stops: list[dict[str, str]]) -> None:
        super().__init__("dose", "Hard stop: " + "; ".join(s["message"] for s in stops) + ".")
        self.stops = stops


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


def record_administration(
    actor: User,
    order_id: int,
    *,
    status: str,
    dose_mg: Decimal | None,
    due_at: dt.datetime | None,
    reason: str,
    override_reason: str,
    now: dt.datetime,
    address: str | None,
) -> MedicationAdministration:
    """Record given / held / refused / not available. A given dose passes the safety check or a physician's override.

    The order row is locked first, so two nurses recording the same dose at once are serialised:
    the second sees the first's record (and its dose in the 24-hour count).
    """
    if status not in AdministrationStatus.values:
        raise InvalidInput("status", "Choose given, held, refused or not available.")
    if status != AdministrationStatus.GIVEN and not reason.strip():
        raise InvalidInput("reason", "Say why the dose was not given.")
    with transaction.atomic():
        order = MedicationRequest.objects.select_for_update().select_related("episode__patient").get(pk=order_id)
        episode = order.episode
        if order.stopped_at is not None:
            raise InvalidInput(
                "order", f"{order.medicine_name} was stopped at {timezone.localtime(order.stopped_at):%H:%M}."
            )
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
        if status == AdministrationStatus.GIVEN:
            verdict = check_order(order, dose, dose_context(episode, now), now)
            stops, warnings = _findings(verdict.hard_stops), _findings(verdict.warnings)
            if stops and not override_reason.strip():
                raise SafetyStop(stops)
            if stops and not role_may(actor.role, Action.OVERRIDE_SAFETY_STOP):
                raise InvalidInput("override_reason", "Only a physician can override a hard stop.")
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
                override_by_name=actor.display_name if stops else "",
                override_reason=override_reason.strip() if stops else "",
            )
        except IntegrityError:
            raise Conflict("due_at", "This dose was recorded by someone else a moment ago.") from None
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
            detail={"status": status, "dose_mg": str(administration.dose_mg), "override": bool(stops)},
        )
    return administration


# A dose of these is followed by the hourly reassessment (reference §1).
WITHDRAWAL_FAMILIES = frozenset({"buprenorphine", "methadone", "alpha2_agonist", "benzodiazepine"})
