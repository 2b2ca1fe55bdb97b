"""Whether a written consent covers a disclosure (42 CFR part 2, reference §15). Pure.

A disclosure is covered when a consent names the same recipient, includes the category of record,
has started, has not expired and has not been revoked. The refusal says which of these failed.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

REDISCLOSURE_NOTICE = (
    "This record is protected by federal confidentiality rules (42 CFR part 2). The federal rules prohibit you from "
    "making any further disclosure of this record unless further disclosure is expressly permitted by the written "
    "consent of the person to whom it pertains or as otherwise permitted by 42 CFR part 2. A general authorization "
    "for the release of medical or other information is NOT sufficient for this purpose. The federal rules restrict "
    "any use of the information to investigate or prosecute with regard to a crime any patient with a substance use "
    "disorder, except as provided at 42 CFR part 2."
)
NOTICE_SOURCE = "42 CFR 2.32 (notice to accompany disclosure), as amended by the 2024 final rule (89 FR 12472)"


class Category(enum.StrEnum):
    """What a consent lets out."""

    ALL = "all"
    MEDICATIONS = "medications"
    ASSESSMENTS = "assessments"
    DISCHARGE_SUMMARY = "discharge_summary"

    @property
    def label(self) -> str:
        return {
            "all": "All records",
            "medications": "Medications",
            "assessments": "Assessments",
            "discharge_summary": "Discharge summary",
        }[self]


@dataclass(frozen=True)
class ConsentTerms:
    """The parts of a signed consent that decide coverage."""

    consent_id: int
    recipient: str
    categories: frozenset[Category]
    starts: dt.date
    expires: dt.date | None
    revoked_on: dt.date | None


def same_recipient(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def covering(consents: list[ConsentTerms], recipient: str, category: Category, on: dt.date) -> tuple[int | None, str]:
    """(id of the covering consent, '') or (None, the reason no consent covers this disclosure)."""
    named = [c for c in consents if same_recipient(c.recipient, recipient)]
    if not named:
        return None, f"No consent names {recipient} as a recipient."
    reasons = []
    for c in named:
        if Category.ALL not in c.categories and category not in c.categories:
            reasons.append(f"consent {c.consent_id} does not include {category.label.lower()}")
        elif c.revoked_on is not None and c.revoked_on <= on:
            reasons.append(f"consent {c.consent_id} was revoked on {c.revoked_on:%Y-%m-%d}")
        elif c.starts > on:
            reasons.append(f"consent {c.consent_id} starts on {c.starts:%Y-%m-%d}")
        elif c.expires is not None and c.expires < on:
            reasons.append(f"consent {c.consent_id} expired on {c.expires:%Y-%m-%d}")
        else:
            return c.consent_id, ""
    return None, "No active consent covers this disclosure: " + "; ".join(reasons) + "."
