"""Writers for pre-admission: call-back requests, phone screens, and booking a bed for an admission."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from detoxflow.accounts.models import User
from detoxflow.admissions.models import CallbackRequest, CallbackStatus, PhoneScreen
from detoxflow.audit.services import record_event
from detoxflow.clinical.rulebook import RuleSet
from detoxflow.clinical.triage import PhoneScreen as TriageFacts
from detoxflow.clinical.triage import PregnancyAnswer, Substance, TriageDecision, triage
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Bed, Facility
from detoxflow.facilities.queries import free_beds
from detoxflow.facilities.rules import rules_in_force
from detoxflow.patients import services as patient_services
from detoxflow.patients.models import Patient


def request_callback(facility: Facility, values: dict[str, Any], *, now: dt.datetime) -> CallbackRequest:
    """Queue a call-back from the public page. No address is kept: the page promises to store nothing else."""
    with transaction.atomic():
        callback = CallbackRequest.objects.create(facility=facility, received_at=now, **values)
        record_event(
            actor=None,
            user_name="public get-help page",
            facility_id=facility.pk,
            action="callback.request",
            object_type="CallbackRequest",
            object_id=callback.pk,
        )
    return callback


def record_callback_attempt(actor: User, callback: CallbackRequest, status: str, *, address: str | None) -> None:
    """Note an unanswered call or close a request without a screen."""
    if status not in (CallbackStatus.NO_ANSWER, CallbackStatus.CLOSED):
        raise InvalidInput("status", "Record either 'no answer' or 'closed' here; a screen closes a request itself.")
    with transaction.atomic():
        callback.status = status
        callback.attempts += 1
        callback.save(update_fields=["status", "attempts"])
        record_event(
            actor=actor,
            action="callback.attempt",
            object_type="CallbackRequest",
            object_id=callback.pk,
            address=address,
            detail={"status": status},
        )


def book_admission(
    actor: User,
    *,
    patient: Patient | None,
    new_patient: dict[str, Any] | None,
    bed: Bed,
    expected_arrival: dt.datetime,
    reason: str,
    screen: PhoneScreen | None = None,
    now: dt.datetime,
    address: str | None,
) -> Episode:
    """Register the patient if new, open a pre-admission episode and hold the bed for the arrival.

    All or nothing: a bed taken a moment ago by another coordinator rolls back the new patient too.
    """
    if expected_arrival < now - dt.timedelta(hours=1):
        raise InvalidInput("expected_arrival", "The expected arrival is in the past.")
    with transaction.atomic():
        if patient is None:
            if new_patient is None:
                raise InvalidInput("patient", "Choose a registered patient or enter the new patient's details.")
            patient = patient_services.register_patient(actor, new_patient, address=address, now=now)
        episode = episode_services.open_episode(actor, patient, reason=reason, now=now, address=address)
        episode.expected_arrival = expected_arrival
        episode.save(update_fields=["expected_arrival"])
        episode_services.assign_bed(actor, episode, bed, address=address)
        if screen is not None:
            screen.patient = patient
            screen.episode = episode
            screen.save(update_fields=["patient", "episode"])
    return episode


# What a screen must have answered before any decision but an urgent one, with the question to ask. Triage reads
# substances (sedative co-use), pregnancy and readiness; the caller, who they are and the route are what the
# booking and intake go on. Housing and home support are not asked for: triage does not read them, and the
# intake assessment asks them again.
NEEDED_BEYOND_AN_EMERGENCY = (
    ("caller_name", "Ask the caller's name (a first name or an alias is fine)."),
    ("caller_relationship", "Ask who is calling: the person themselves, family, a friend or a professional."),
    ("substances", "Tick at least one substance the person uses."),
    ("route", "Ask how the main opioid is used (choose 'Other / unknown' if they do not say)."),
    (
        "pregnancy",
        "Ask about pregnancy (choose 'Not applicable' if it cannot apply): triage flags it and, with no bed free, "
        "a pregnant caller is not put on the waitlist.",
    ),
    (
        "wants_treatment",
        "Ask whether the person wants treatment now: it decides between booking a bed and a referral.",
    ),
)
URGENT = (TriageDecision.EMERGENCY, TriageDecision.SAME_DAY)


def _answered(value: Any) -> bool:
    return value not in (None, "", [], ())


def _triage_facts(values: dict[str, Any], *, bed_available: bool) -> TriageFacts:
    """The answers as triage reads them.

    A question not asked goes in as the answer that claims nothing (no substance, no pregnancy, not asking for
    treatment). Triage decides an emergency or a same-day assessment before it reads any of them, and
    record_phone_screen keeps no other decision until they are answered, so a blank is never taken as a "no".
    """
    pregnancy = values.get("pregnancy")
    return TriageFacts(
        substances=frozenset(Substance(v) for v in values.get("substances") or ()),
        hours_since_last_use=values.get("hours_since_last_use"),
        prior_complicated_withdrawal=bool(values.get("prior_complicated_withdrawal")),
        pregnancy=PregnancyAnswer(pregnancy) if pregnancy else PregnancyAnswer.NOT_APPLICABLE,
        suicidal_with_plan=bool(values.get("suicidal_with_plan")),
        suicidal_without_plan=bool(values.get("suicidal_without_plan")),
        overdose_now=bool(values.get("overdose_now")),
        chest_pain=bool(values.get("chest_pain")),
        breathing_difficulty=bool(values.get("breathing_difficulty")),
        other_emergency_signs=bool(values.get("other_emergency_signs")),
        has_housing=values.get("has_housing") is not False,
        has_home_support=values.get("has_home_support") is not False,
        bed_available=bed_available,
        wants_treatment=values.get("wants_treatment") is True,
        out_of_scope=bool(values.get("out_of_scope")),
    )


def _missing_answers(values: dict[str, Any]) -> list[tuple[str, str]]:
    return [(field, question) for field, question in NEEDED_BEYOND_AN_EMERGENCY if not _answered(values.get(field))]


def record_phone_screen(
    actor: User,
    values: dict[str, Any],
    *,
    now: dt.datetime,
    address: str | None,
) -> PhoneScreen:
    """Triage the answers with the facility's rules and store answers, decision, reasons and rule version.

    An emergency (or a same-day suicide risk assessment) is kept with whatever was answered before it, so the
    coordinator goes straight to 911 / 988; any other decision waits until the questions it rests on are
    answered, and each unanswered one is named.
    """
    callback: CallbackRequest | None = values.get("callback")
    if callback is not None and callback.facility_id != actor.facility_id:
        raise InvalidInput("callback", "That call-back request belongs to another facility.")
    unknown = sorted(set(values.get("substances") or ()) - set(Substance))
    if unknown:
        raise InvalidInput("substances", f"Not a substance asked about: {', '.join(map(str, unknown))}.")
    if values.get("pregnancy") and values["pregnancy"] not in set(PregnancyAnswer):
        raise InvalidInput("pregnancy", f"Choose one of: {', '.join(p.label for p in PregnancyAnswer)}.")
    beds_free = free_beds(actor.facility_id).count()
    in_force = rules_in_force(actor.facility_id, RuleSet.TRIAGE)
    result = triage(_triage_facts(values, bed_available=beds_free > 0), in_force.rules)
    missing = _missing_answers(values)
    if missing and result.decision not in URGENT:
        field, message = missing[0]
        raise InvalidInput(field, message, field_errors=missing)
    with transaction.atomic():
        screen = PhoneScreen.objects.create(
            facility_id=actor.facility_id,
            **{
                **values,
                "substances": list(values.get("substances") or []),
                "pregnancy": values.get("pregnancy") or "",
            },
            decision=result.decision.value,
            reasons=list(result.reasons),
            rule_ids=list(result.rule_ids),
            rules_version=in_force.version,
            free_beds_at_screen=beds_free,
            screened_at=now,
            screened_by=actor,
            screened_by_name=actor.display_name,
        )
        if callback is not None:
            callback.status = CallbackStatus.SCREENED
            callback.save(update_fields=["status"])
        record_event(
            actor=actor,
            action="phone_screen.record",
            object_type="PhoneScreen",
            object_id=screen.pk,
            address=address,
            detail={"decision": result.decision.value, "rules": list(result.rule_ids)},
        )
    return screen
