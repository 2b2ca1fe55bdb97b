"""Taper schedules: from a stabilized dose down to a floor, in steps that can be dispensed.

Pure. A taper never rises, every step is an amount the available strengths can make, and it ends
at the floor (or zero). Maintenance is an alternative to tapering (reference §9); offering it first
is recorded by the caller, not decided here.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from functools import reduce
from math import gcd

TAPER_SOURCE = (
    "Reference §9: buprenorphine tapers over 3-5 to 30+ days, 2-4 mg steps every 1-3 days (convention); methadone "
    "inpatient up to 20% of the daily dose per day, after maintenance <10% every 10-14 days (labels, §5)"
)


class TaperMethod(enum.StrEnum):
    """How each step is sized."""

    LINEAR = "linear"  # the same number of milligrams each step
    PERCENT = "percent"  # a percentage of the current dose each step


@dataclass(frozen=True)
class TaperStep:
    """One day of the schedule."""

    day: int
    date: dt.date
    dose_mg: Decimal


class TaperRefused(ValueError):
    """A taper that cannot be built as asked; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def dispensable_unit(strengths_mg: tuple[Decimal, ...]) -> Decimal:
    """The smallest amount every dispensable dose is a multiple of (the strengths' greatest common divisor)."""
    scale = 100  # strengths are given to 0.01 mg
    whole = [int(s * scale) for s in strengths_mg]
    return Decimal(reduce(gcd, whole)) / scale


def build_taper(
    *,
    start_mg: Decimal,
    method: TaperMethod,
    step: Decimal,
    step_days: int,
    floor_mg: Decimal,
    strengths_mg: tuple[Decimal, ...],
    start: dt.date,
) -> list[TaperStep]:
    """Day-by-day doses from `start_mg` down to `floor_mg`, each rounded down to a dispensable amount."""
    if not strengths_mg or any(s <= 0 for s in strengths_mg):
        raise TaperRefused("strengths_mg", "Give the available tablet or film strengths.")
    if start_mg <= 0:
        raise TaperRefused("start_mg", "The starting dose must be above zero.")
    if floor_mg < 0 or floor_mg >= start_mg:
        raise TaperRefused("floor_mg", "The floor must be at least zero and below the starting dose.")
    if step <= 0 or (method is TaperMethod.PERCENT and step >= 100):
        raise TaperRefused("step", "The step must be above zero (and below 100 for a percentage).")
    if not 1 <= step_days <= 28:
        raise TaperRefused("step_days", "Steps are 1 to 28 days apart.")
    unit = dispensable_unit(strengths_mg)
    if start_mg % unit or floor_mg % unit:
        raise TaperRefused("start_mg", f"Doses must be multiples of {unit.normalize():f} mg with these strengths.")

    doses: list[Decimal] = [start_mg]
    while doses[-1] > floor_mg:
        current = doses[-1]
        cut = step if method is TaperMethod.LINEAR else current * step / 100
        target = ((current - cut) / unit).to_integral_value(rounding=ROUND_FLOOR) * unit
        # Rounding must not stall the taper: take at least one dispensable unit off each step.
        target = min(target, current - unit)
        doses.append(max(target, floor_mg))
    steps = []
    for index, dose in enumerate(doses):
        for offset in range(step_days if dose > floor_mg else 1):
            day = index * step_days + offset
            steps.append(TaperStep(day=day + 1, date=start + dt.timedelta(days=day), dose_mg=dose))
    return steps
