"""Published protocol defaults an order can be built from; each line cites where its numbers come from.

Pure data. A facility copies a protocol and edits its copy; a signed order copies the values it
was built from, so changing a protocol never changes an order already signed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


class OrderKind(enum.StrEnum):
    """How an order's doses come due."""

    SCHEDULED = "scheduled"  # every interval from the start
    AS_NEEDED = "as_needed"  # when the nurse judges it needed, no sooner than the interval
    SYMPTOM_TRIGGERED = "symptom_triggered"  # when COWS is at or above the trigger

    @property
    def label(self) -> str:
        return {"scheduled": "Scheduled", "as_needed": "As needed (PRN)", "symptom_triggered": "COWS-triggered"}[self]


@dataclass(frozen=True)
class ProtocolLine:
    """One medicine in a protocol, with every limit an order built from it carries."""

    medicine_code: str
    kind: OrderKind
    dose_mg: Decimal
    min_interval_minutes: int
    single_dose_max_mg: Decimal
    daily_max_mg: Decimal
    cows_at_least: int | None = None
    first_dose_max_mg: Decimal | None = None
    first_day_max_mg: Decimal | None = None
    instructions: str = ""


@dataclass(frozen=True)
class Protocol:
    """A named set of lines with its source."""

    code: str
    name: str
    lines: tuple[ProtocolLine, ...]
    source: str


D = Decimal
PUBLISHED_PROTOCOLS: dict[str, Protocol] = {
    p.code: p
    for p in (
        Protocol(
            "buprenorphine_induction",
            "Buprenorphine induction (symptom-triggered)",
            (
                ProtocolLine(
                    "buprenorphine_sl",
                    OrderKind.SYMPTOM_TRIGGERED,
                    D(4),
                    120,
                    D(8),
                    D(16),
                    cows_at_least=8,
                    instructions="2-4 mg SL when COWS ≥ 8; repeat every 2 h while withdrawal persists",
                ),
            ),
            "FDA labels (first dose 2-4 mg, about every 2 h); day-1 protocols 12-16 mg (reference §4)",
        ),
        Protocol(
            "methadone_stabilization",
            "Methadone stabilization (first day)",
            (
                ProtocolLine(
                    "methadone_oral",
                    OrderKind.AS_NEEDED,
                    D(20),
                    180,
                    D(30),
                    D(40),
                    first_dose_max_mg=D(30),
                    first_day_max_mg=D(40),
                    instructions="20-30 mg first dose; extra 5-10 mg after 2-4 h if withdrawal persists",
                ),
            ),
            "FDA label: initial 20-30 mg, not >30 mg; first day ordinarily ≤40 mg (reference §5)",
        ),
        Protocol(
            "alpha2_clonidine",
            "Alpha-2 agonist withdrawal (clonidine)",
            (
                ProtocolLine(
                    "clonidine",
                    OrderKind.AS_NEEDED,
                    D("0.1"),
                    240,
                    D("0.2"),
                    D("1.2"),
                    instructions="0.1-0.2 mg every 4-6 h as needed; hold for SBP <90, DBP <60, HR <60",
                ),
            ),
            "Institutional practice (reference §6); taper over 2-4 days when stopping",
        ),
        Protocol(
            "alpha2_lofexidine",
            "Alpha-2 agonist withdrawal (lofexidine)",
            (
                ProtocolLine(
                    "lofexidine",
                    OrderKind.SCHEDULED,
                    D("0.54"),
                    300,
                    D("0.72"),
                    D("2.88"),
                    instructions="0.54 mg four times daily, 5-6 h apart, up to 14 days",
                ),
            ),
            "Lucemyra label (reference §6)",
        ),
        Protocol(
            "benzodiazepine_short_course",
            "Benzodiazepine short course (severe anxiety or insomnia)",
            (
                ProtocolLine(
                    "diazepam",
                    OrderKind.AS_NEEDED,
                    D(5),
                    360,
                    D(10),
                    D(20),
                    instructions="Short term, lowest dose, specific target; not a primary withdrawal treatment",
                ),
            ),
            "FDA DSC 2016/2017; reference §7 (doses: facility policy default)",
        ),
        Protocol(
            "adjuncts",
            "Symptomatic adjuncts",
            (
                ProtocolLine(
                    "loperamide",
                    OrderKind.AS_NEEDED,
                    D(2),
                    60,
                    D(4),
                    D(16),
                    instructions="4 mg, then 2 mg per loose stool",
                ),
                ProtocolLine(
                    "ondansetron",
                    OrderKind.AS_NEEDED,
                    D(4),
                    480,
                    D(8),
                    D(24),
                    instructions="4-8 mg every 8 h as needed",
                ),
                ProtocolLine(
                    "acetaminophen",
                    OrderKind.AS_NEEDED,
                    D(650),
                    360,
                    D(1000),
                    D(3000),
                    instructions="650-1000 mg every 6 h as needed",
                ),
                ProtocolLine(
                    "ibuprofen",
                    OrderKind.AS_NEEDED,
                    D(400),
                    360,
                    D(600),
                    D(2400),
                    instructions="400-600 mg every 6-8 h as needed",
                ),
                ProtocolLine(
                    "dicyclomine",
                    OrderKind.AS_NEEDED,
                    D(20),
                    360,
                    D(20),
                    D(80),
                    instructions="10-20 mg every 6 h as needed for cramps",
                ),
                ProtocolLine(
                    "hydroxyzine",
                    OrderKind.AS_NEEDED,
                    D(25),
                    360,
                    D(50),
                    D(100),
                    instructions="25-50 mg every 6 h as needed for anxiety",
                ),
                ProtocolLine(
                    "trazodone",
                    OrderKind.AS_NEEDED,
                    D(50),
                    1200,
                    D(100),
                    D(100),
                    instructions="25-100 mg at night for insomnia",
                ),
            ),
            "Reference §8 (usual adult limits)",
        ),
    )
}
