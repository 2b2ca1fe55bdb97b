"""Vital signs: plausibility limits that catch typing errors, and the ranges flagged as abnormal.

Pure data plus two checks. The limits are facility-configurable defaults; the abnormal ranges are
the usual adult bedside ranges (facility policy), except SpO2 and respiratory rate, whose hold
thresholds the reference marks as local policy (§7).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class VitalSign:
    """One vital sign: what a person could possibly have, and what is worth flagging."""

    key: str
    name: str
    unit: str
    plausible_low: Decimal
    plausible_high: Decimal
    normal_low: Decimal
    normal_high: Decimal
    source: str


_POLICY = "Facility policy (default adult bedside ranges)"

VITAL_SIGNS: dict[str, VitalSign] = {
    v.key: v
    for v in (
        VitalSign("heart_rate", "Heart rate", "/min", Decimal(20), Decimal(250), Decimal(50), Decimal(110), _POLICY),
        VitalSign(
            "systolic_bp",
            "Systolic blood pressure",
            "mmHg",
            Decimal(50),
            Decimal(260),
            Decimal(90),
            Decimal(160),
            _POLICY,
        ),
        VitalSign(
            "diastolic_bp",
            "Diastolic blood pressure",
            "mmHg",
            Decimal(20),
            Decimal(160),
            Decimal(50),
            Decimal(100),
            _POLICY,
        ),
        VitalSign(
            "respiratory_rate",
            "Respiratory rate",
            "/min",
            Decimal(4),
            Decimal(60),
            Decimal(10),
            Decimal(24),
            "Local policy: hold sedatives and opioids below 10-12/min (reference §7)",
        ),
        VitalSign(
            "temperature_c",
            "Temperature",
            "°C",
            Decimal(30),
            Decimal("43.5"),
            Decimal("35.5"),
            Decimal("38.0"),
            _POLICY,
        ),
        VitalSign(
            "spo2",
            "Oxygen saturation",
            "%",
            Decimal(50),
            Decimal(100),
            Decimal(92),
            Decimal(100),
            "Local policy: hold sedatives and opioids below 90-92% (reference §7)",
        ),
    )
}


def implausible(key: str, value: Decimal) -> str | None:
    """A message naming the sign and its limits if `value` cannot be real (a typo), else None."""
    sign = VITAL_SIGNS[key]
    if sign.plausible_low <= value <= sign.plausible_high:
        return None
    return (
        f"{sign.name} {value} {sign.unit} is outside what is possible "
        f"({sign.plausible_low}-{sign.plausible_high} {sign.unit}); check for a typo."
    )


def abnormal(key: str, value: Decimal) -> str | None:
    """'low' or 'high' when a plausible value falls outside the normal range, else None."""
    sign = VITAL_SIGNS[key]
    if value < sign.normal_low:
        return "low"
    if value > sign.normal_high:
        return "high"
    return None
