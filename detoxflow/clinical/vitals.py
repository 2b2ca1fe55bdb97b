"""Vital signs: plausibility limits that catch typing errors, and the ranges flagged as abnormal.

Pure data plus two checks. The limits are facility-configurable defaults; the abnormal ranges are
the usual adult bedside ranges (facility policy), except SpO2 and respiratory rate, whose hold
thresholds the reference marks as local policy (§7).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from decimal import Decimal as D


@dataclass(frozen=True)
class VitalSign:
    """One vital sign: what a person could possibly have, what is worth flagging, and its LOINC code."""

    key: str
    name: str
    unit: str
    plausible_low: Decimal
    plausible_high: Decimal
    normal_low: Decimal
    normal_high: Decimal
    source: str
    loinc: str


_POLICY = "Facility policy (default adult bedside ranges)"

VITAL_SIGNS: dict[str, VitalSign] = {
    v.key: v
    for v in (
        VitalSign("heart_rate", "Heart rate", "/min", D(20), D(250), D(50), D(110), _POLICY, "8867-4"),
        VitalSign("systolic_bp", "Systolic blood pressure", "mmHg", D(50), D(260), D(90), D(160), _POLICY, "8480-6"),
        VitalSign("diastolic_bp", "Diastolic blood pressure", "mmHg", D(20), D(160), D(50), D(100), _POLICY, "8462-4"),
        VitalSign(
            "respiratory_rate",
            "Respiratory rate",
            "/min",
            D(4),
            D(60),
            D(10),
            D(24),
            "Local policy: hold sedatives and opioids below 10-12/min (reference §7)",
            "9279-1",
        ),
        VitalSign("temperature_c", "Temperature", "°C", D(30), D("43.5"), D("35.5"), D("38.0"), _POLICY, "8310-5"),
        VitalSign(
            "spo2",
            "Oxygen saturation",
            "%",
            D(50),
            D(100),
            D(92),
            D(100),
            "Local policy: hold sedatives and opioids below 90-92% (reference §7)",
            "59408-5",
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
