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


# The dispensable amounts are counted in the strengths' smallest decimal place; more than this many
# is no taper a unit would plan (a million steps of 0.01 mg is 10 g), so it is refused rather than counted.
MAX_STEPS_COUNTED = 1_000_000


def _scale(amounts_mg: tuple[Decimal, ...]) -> int:
    """The power of ten that makes every amount a whole number, however many decimals it has (none is cut off)."""
    places = 0
    for amount in amounts_mg:
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int):
            places = max(places, -exponent)
    return int(10**places)


def makeable(dose_mg: Decimal, strengths_mg: tuple[Decimal, ...]) -> bool:
    """Whether `dose_mg` is a sum of whole tablets or films of the stocked strengths (zero is no tablet).

    Not a divisor test: 8 mg and 12 mg films share the divisor 4, but 4 mg cannot be given from them.
    """
    return dose_mg >= 0 and dose_mg in makeable_doses(dose_mg, strengths_mg)


def makeable_doses(up_to_mg: Decimal, strengths_mg: tuple[Decimal, ...]) -> list[Decimal]:
    """Every amount from zero to `up_to_mg` that whole units of the strengths make, smallest first."""
    scale = _scale((*strengths_mg, up_to_mg))
    top = int((up_to_mg * scale).to_integral_value(rounding=ROUND_FLOOR))
    if top > MAX_STEPS_COUNTED:
        raise TaperRefused("start_mg", f"{up_to_mg.normalize():f} mg is far above any dose this taper can plan.")
    whole = sorted({int(s * scale) for s in strengths_mg})
    reachable = [True] + [False] * top
    for amount in range(1, top + 1):
        reachable[amount] = any(amount >= w and reachable[amount - w] for w in whole)
    return [Decimal(amount) / scale for amount in range(top + 1) if reachable[amount]]


def _names(strengths_mg: tuple[Decimal, ...]) -> str:
    return " and ".join(f"{s.normalize():f} mg" for s in sorted(strengths_mg))


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
    """Day-by-day doses from `start_mg` down to `floor_mg`, each one whole tablets of the stocked strengths.

    Each step goes to the smallest makeable dose that cuts no more than asked (the step in mg, or the
    percentage of the current dose). Only when no makeable dose lies in that range does it take the next
    makeable dose down, the smallest cut the strengths allow, so the taper never stalls.
    """
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
    # Every makeable dose up to the start, counted once: the start and the floor must be among them.
    makeable_up_to_start = makeable_doses(start_mg, strengths_mg)
    for field, amount in (("start_mg", start_mg), ("floor_mg", floor_mg)):
        if amount not in makeable_up_to_start:
            raise TaperRefused(
                field, f"{amount.normalize():f} mg cannot be made from whole {_names(strengths_mg)} units."
            )

    ladder = [d for d in makeable_up_to_start if d >= floor_mg]
    doses: list[Decimal] = [start_mg]
    while doses[-1] > floor_mg:
        current = doses[-1]
        cut = step if method is TaperMethod.LINEAR else current * step / 100
        lower = [d for d in ladder if d < current]
        within = [d for d in lower if d >= current - cut]
        doses.append(min(within) if within else max(lower))
    steps = []
    for index, dose in enumerate(doses):
        for offset in range(step_days if dose > floor_mg else 1):
            day = index * step_days + offset
            steps.append(TaperStep(day=day + 1, date=start + dt.timedelta(days=day), dose_mg=dose))
    return steps
