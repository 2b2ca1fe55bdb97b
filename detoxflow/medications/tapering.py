"""Writers for tapers: the maintenance offer that must come first, and versioned taper schedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from detoxflow.accounts.models import User
from detoxflow.audit.services import record_event
from detoxflow.clinical.formulary import FORMULARY
from detoxflow.clinical.tapers import TaperMethod, TaperRefused, build_taper
from detoxflow.episodes.models import Episode
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.medications.models import MaintenanceChoice, MaintenanceOffer, MedicationRequest, TaperPlan


def record_maintenance_offer(
    actor: User, episode: Episode, choice: str, note: str, *, now: dt.datetime, address: str | None
) -> MaintenanceOffer:
    """Document that maintenance was offered and what the patient chose (reference §9: offer it before tapering)."""
    if choice not in MaintenanceChoice.values:
        raise InvalidInput("choice", "Record whether the patient chose maintenance or a taper.")
    with transaction.atomic():
        offer, _ = MaintenanceOffer.objects.update_or_create(
            episode=episode,
            defaults={
                "facility_id": episode.facility_id,
                "choice": choice,
                "note": note.strip(),
                "at": now,
                "by_name": actor.display_name,
            },
        )
        record_event(
            actor=actor,
            action="maintenance.offer",
            patient_id=episode.patient_id,
            episode_id=episode.pk,
            object_type="MaintenanceOffer",
            object_id=offer.pk,
            address=address,
            detail={"choice": choice},
        )
    return offer


def plan_taper(
    actor: User,
    order: MedicationRequest,
    values: dict[str, Any],
    *,
    reason: str,
    now: dt.datetime,
    address: str | None,
) -> TaperPlan:
    """Build a new taper version for the order from the given shape; earlier versions stay as history."""
    offer = MaintenanceOffer.objects.filter(episode_id=order.episode_id).first()
    if offer is None:
        raise InvalidInput("maintenance", "Offer maintenance first and record the patient's choice.")
    if offer.choice != MaintenanceChoice.TAPER:
        raise InvalidInput("maintenance", "The patient chose to continue maintenance; record a new choice first.")
    if not reason.strip():
        raise InvalidInput("reason", "Say why this taper (or this change) is made.")
    try:
        steps = build_taper(
            start_mg=values["start_mg"],
            method=TaperMethod(values["method"]),
            step=values["step"],
            step_days=values["step_days"],
            floor_mg=values["floor_mg"],
            strengths_mg=FORMULARY[order.medicine_code].strengths_mg,
            start=values["start_date"],
        )
    except TaperRefused as refused:
        raise InvalidInput(refused.field, refused.message) from refused
    with transaction.atomic():
        newest = TaperPlan.objects.filter(order=order).aggregate(v=Max("version"))["v"] or 0
        try:
            plan = TaperPlan.objects.create(
                facility_id=order.facility_id,
                order=order,
                version=newest + 1,
                method=values["method"],
                start_mg=values["start_mg"],
                step=values["step"],
                step_days=values["step_days"],
                floor_mg=values["floor_mg"],
                start_date=values["start_date"],
                steps=[[s.date.isoformat(), str(s.dose_mg)] for s in steps],
                reason=reason.strip(),
                created_at=now,
                created_by_name=actor.display_name,
            )
        except IntegrityError:
            raise Conflict("version", "Someone saved a taper version a moment ago; reload and try again.") from None
        record_event(
            actor=actor,
            action="taper.plan",
            patient_id=order.episode.patient_id,
            episode_id=order.episode_id,
            object_type="TaperPlan",
            object_id=plan.pk,
            address=address,
            detail={"version": plan.version},
        )
    return plan
