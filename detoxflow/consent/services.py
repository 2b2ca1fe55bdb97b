"""Writers for consent and disclosure: every disclosure is checked against an active consent and logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from detoxflow.accounts.models import User
from detoxflow.audit.services import record_event
from detoxflow.consent.coverage import NOTICE_SOURCE, REDISCLOSURE_NOTICE, Category, ConsentTerms, covering
from detoxflow.consent.models import Consent, Disclosure
from detoxflow.errors import InvalidInput
from detoxflow.patients.models import Patient


def record_consent(
    actor: User, patient: Patient, values: dict[str, Any], *, now: dt.datetime, address: str | None
) -> Consent:
    """File a signed consent: who may receive what, why, from when until when."""
    categories = values.get("categories") or []
    if not categories or any(c not in Category.__members__.values() for c in categories):
        raise InvalidInput("categories", "Choose what the consent covers (all records or named categories).")
    for name in ("recipient", "purpose", "signed_copy_reference"):
        if not str(values.get(name, "")).strip():
            raise InvalidInput(name, "Required on a part 2 consent.")
    if values.get("expires") and values["expires"] < values["starts"]:
        raise InvalidInput("expires", "The consent expires before it starts.")
    with transaction.atomic():
        consent = Consent.objects.create(
            facility_id=patient.facility_id,
            patient=patient,
            recipient=values["recipient"].strip(),
            categories=sorted(set(categories)),
            purpose=values["purpose"].strip(),
            starts=values["starts"],
            expires=values.get("expires"),
            signed_copy_reference=values["signed_copy_reference"].strip(),
            recorded_by_name=actor.display_name,
            recorded_at=now,
        )
        record_event(
            actor=actor,
            action="consent.record",
            patient_id=patient.pk,
            object_type="Consent",
            object_id=consent.pk,
            address=address,
        )
    return consent


def revoke(actor: User, consent: Consent, *, now: dt.datetime, address: str | None) -> Consent:
    """The patient withdraws the consent from today; disclosures already made stay on the accounting."""
    if consent.revoked_on is not None:
        raise InvalidInput("consent", f"Already revoked on {consent.revoked_on:%Y-%m-%d}.")
    with transaction.atomic():
        consent.revoked_on = timezone.localdate(now)
        consent.save(update_fields=["revoked_on"])
        record_event(
            actor=actor,
            action="consent.revoke",
            patient_id=consent.patient_id,
            object_type="Consent",
            object_id=consent.pk,
            address=address,
        )
    return consent


def authorize_disclosure(
    actor: User,
    patient: Patient,
    *,
    recipient: str,
    category: Category,
    purpose: str,
    what: str,
    now: dt.datetime,
    address: str | None,
) -> Disclosure:
    """Refuse with the reason unless an active consent covers it; otherwise log the disclosure with its notice."""
    if not recipient.strip():
        raise InvalidInput("recipient", "Name who receives the record.")
    if not purpose.strip():
        raise InvalidInput("purpose", "State the purpose of the disclosure.")
    terms = [
        ConsentTerms(c.pk, c.recipient, frozenset(Category(x) for x in c.categories), c.starts, c.expires, c.revoked_on)
        for c in Consent.objects.filter(patient=patient)
    ]
    consent_id, reason = covering(terms, recipient, category, timezone.localdate(now))
    if consent_id is None:
        record_event(
            actor=actor,
            action="disclosure.refused",
            patient_id=patient.pk,
            address=address,
            outcome="refused",
            detail={"recipient": recipient, "category": category.value},
        )
        raise InvalidInput("recipient", reason, status_code=403)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            facility_id=patient.facility_id,
            patient=patient,
            consent_id=consent_id,
            recipient=recipient.strip(),
            category=category.value,
            purpose=purpose.strip(),
            what=what,
            notice=f"{REDISCLOSURE_NOTICE} ({NOTICE_SOURCE})",
            at=now,
            by_name=actor.display_name,
        )
        record_event(
            actor=actor,
            action="disclosure.made",
            patient_id=patient.pk,
            object_type="Disclosure",
            object_id=disclosure.pk,
            address=address,
            detail={"consent": consent_id, "what": what},
        )
    return disclosure
