"""National help lines shown on the public get-help page, as data with their source and check date.

Reference §14 (checked Nov 2026). Re-check before each release; the directory (a later issue)
will let a facility add its local lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Hotline:
    """A help line a person can call or text right now."""

    name: str
    contact: str
    dial: str
    what: str
    source: str
    last_checked: dt.date


CHECKED = dt.date(2026, 11, 1)
HOTLINES: tuple[Hotline, ...] = (
    Hotline(
        "Emergency services",
        "911",
        "911",
        "Call now if someone may be overdosing, is not breathing or will not wake up.",
        "Reference §14",
        CHECKED,
    ),
    Hotline(
        "988 Suicide & Crisis Lifeline",
        "call or text 988",
        "988",
        "Free, confidential support 24/7 if you are thinking about suicide or are in crisis.",
        "Reference §14",
        CHECKED,
    ),
    Hotline(
        "SAMHSA National Helpline",
        "1-800-662-4357",
        "18006624357",
        "Free, confidential treatment referral and information, 24/7, in English and Spanish.",
        "Reference §14",
        CHECKED,
    ),
    Hotline(
        "Never Use Alone",
        "1-800-484-3731",
        "18004843731",
        "If you are going to use alone, they stay on the line and send help if you stop responding.",
        "Reference §14",
        CHECKED,
    ),
    Hotline(
        "Poison Help",
        "1-800-222-1222",
        "18002221222",
        "Questions about a medicine or substance taken.",
        "Reference §14",
        CHECKED,
    ),
)
