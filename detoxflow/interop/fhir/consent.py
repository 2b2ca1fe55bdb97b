"""Consent: a 42 CFR part 2 consent for disclosure — to whom, what, why, and for how long."""

from __future__ import annotations

import datetime as dt
from typing import Any

from detoxflow.consent.coverage import Category
from detoxflow.consent.models import Consent
from detoxflow.interop.fhir.common import instant, meta

PART_2 = "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2"


def document(consent: Consent, today: dt.date) -> dict[str, Any]:
    """The FHIR Consent; inactive once revoked or expired (as of today)."""
    lapsed = (consent.revoked_on is not None and consent.revoked_on <= today) or (
        consent.expires is not None and consent.expires < today
    )
    period: dict[str, Any] = {"start": consent.starts.isoformat()}
    end = consent.revoked_on or consent.expires
    if end:
        period["end"] = end.isoformat()
    return {
        "resourceType": "Consent",
        "id": str(consent.pk),
        "meta": meta(),
        "status": "inactive" if lapsed else "active",
        "scope": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]
        },
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}],
        "patient": {"reference": f"Patient/{consent.patient_id}"},
        "dateTime": instant(consent.recorded_at),
        "policy": [{"uri": PART_2}],
        "sourceAttachment": {"title": f"Signed copy filed at: {consent.signed_copy_reference}"},
        "provision": {
            "type": "permit",
            "period": period,
            "actor": [
                {
                    "role": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                "code": "IRCP",
                                "display": "information recipient",
                            }
                        ]
                    },
                    "reference": {"display": consent.recipient},
                }
            ],
            "purpose": [{"display": consent.purpose}],
            "code": [{"text": Category(c).label} for c in consent.categories],
        },
    }
