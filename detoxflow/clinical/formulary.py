"""The medicines a detox unit uses, as data: strengths, limits, what kind of risk each carries, and sources.

Pure. Every limit is a facility-configurable default (reference §4-§8); the protocol an order is
built from may set tighter ones.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


class Family(enum.StrEnum):
    """Therapeutic families: duplicate therapy and combination checks work on these."""

    BUPRENORPHINE = "buprenorphine"
    METHADONE = "methadone"
    ALPHA2_AGONIST = "alpha2_agonist"
    BENZODIAZEPINE = "benzodiazepine"
    ANTIDIARRHOEAL = "antidiarrhoeal"
    ANTIEMETIC = "antiemetic"
    ANALGESIC = "analgesic"
    NSAID = "nsaid"
    ANTISPASMODIC = "antispasmodic"
    ANXIOLYTIC = "anxiolytic"
    HYPNOTIC = "hypnotic"
    MUSCLE_RELAXANT = "muscle_relaxant"


OPIOID_FAMILIES = frozenset({Family.BUPRENORPHINE, Family.METHADONE})
SEDATIVE_FAMILIES = frozenset({Family.BENZODIAZEPINE})


@dataclass(frozen=True)
class Medicine:
    """One formulary entry."""

    code: str
    name: str
    family: Family
    route: str
    strengths_mg: tuple[Decimal, ...]
    single_dose_max_mg: Decimal
    daily_max_mg: Decimal
    daily_warn_mg: Decimal | None
    controlled: bool
    qt_risk: bool
    # Words an allergy entry may use for this medicine ("naloxone" for the combination film).
    allergy_terms: tuple[str, ...]
    source: str

    @property
    def opioid(self) -> bool:
        return self.family in OPIOID_FAMILIES

    @property
    def sedative(self) -> bool:
        return self.family in SEDATIVE_FAMILIES


def _mg(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


D = Decimal
FORMULARY: dict[str, Medicine] = {
    m.code: m
    for m in (
        Medicine(
            "buprenorphine_sl",
            "Buprenorphine SL tablet",
            Family.BUPRENORPHINE,
            "sublingual",
            _mg("2", "8"),
            D(8),
            D(32),
            D(24),
            True,
            False,
            ("buprenorphine",),
            "Labels; FDA notice 89 FR 105613 (no labelled maximum): warn above 24 mg, facility maximum 32 mg "
            "(reference §4)",
        ),
        Medicine(
            "buprenorphine_naloxone_film",
            "Buprenorphine/naloxone SL film",
            Family.BUPRENORPHINE,
            "sublingual",
            _mg("2", "4", "8", "12"),
            D(12),
            D(32),
            D(24),
            True,
            False,
            ("buprenorphine", "naloxone"),
            "Labels; FDA notice 89 FR 105613: warn above 24 mg, facility maximum 32 mg (reference §4)",
        ),
        Medicine(
            "methadone_oral",
            "Methadone oral",
            Family.METHADONE,
            "oral",
            _mg("5", "10"),
            D(40),
            D(120),
            D(100),
            True,
            True,
            ("methadone",),
            # 40 mg is a single dose after the first day, not a first dose: the label's first-dose (30 mg)
            # and first-day (40 mg) limits are dose-safety rule data and apply to every methadone order.
            "Dolophine/Methadose labels: a single dose after the first day up to 40 mg (the label's short withdrawal "
            "course stabilises at about 40 mg/day); the first dose (≤30 mg) and first day (≤40 mg) are held by the "
            "dose-safety rules; QTc monitoring above 100 mg/day (Krantz 2009) (reference §5)",
        ),
        Medicine(
            "clonidine",
            "Clonidine",
            Family.ALPHA2_AGONIST,
            "oral",
            _mg("0.1", "0.2"),
            D("0.2"),
            D("1.2"),
            None,
            False,
            False,
            ("clonidine",),
            "Institutional practice: 0.1-0.2 mg, cap 0.8-1.2 mg/day (reference §6)",
        ),
        Medicine(
            "lofexidine",
            "Lofexidine",
            Family.ALPHA2_AGONIST,
            "oral",
            _mg("0.18"),
            D("0.72"),
            D("2.88"),
            None,
            False,
            True,
            ("lofexidine",),
            "Lucemyra label: max 0.72 mg/dose, 2.88 mg/day (reference §6)",
        ),
        Medicine(
            "diazepam",
            "Diazepam",
            Family.BENZODIAZEPINE,
            "oral",
            _mg("2", "5", "10"),
            D(10),
            D(30),
            None,
            True,
            False,
            ("diazepam", "benzodiazepine"),
            "Facility policy (default): short course, lowest dose (FDA DSC 2016/2017; reference §7)",
        ),
        Medicine(
            "loperamide",
            "Loperamide",
            Family.ANTIDIARRHOEAL,
            "oral",
            _mg("2"),
            D(4),
            D(16),
            None,
            False,
            True,
            ("loperamide",),
            "16 mg/day Rx; QT at high doses (FDA DSC 2016) (reference §8)",
        ),
        Medicine(
            "ondansetron",
            "Ondansetron",
            Family.ANTIEMETIC,
            "oral",
            _mg("4", "8"),
            D(8),
            D(24),
            None,
            False,
            True,
            ("ondansetron",),
            "Protocols commonly ≤24 mg/day; QT risk (FDA 2011-12) (reference §8)",
        ),
        Medicine(
            "acetaminophen",
            "Acetaminophen",
            Family.ANALGESIC,
            "oral",
            _mg("325", "500"),
            D(1000),
            D(3000),
            None,
            False,
            False,
            ("acetaminophen", "paracetamol"),
            "Label ≤4 g/day; facility default 3 g (reference §8)",
        ),
        Medicine(
            "ibuprofen",
            "Ibuprofen",
            Family.NSAID,
            "oral",
            _mg("200", "400"),
            D(800),
            D(3200),
            None,
            False,
            False,
            ("ibuprofen", "nsaid"),
            "≤3.2 g/day Rx (reference §8)",
        ),
        Medicine(
            "dicyclomine",
            "Dicyclomine",
            Family.ANTISPASMODIC,
            "oral",
            _mg("10", "20"),
            D(40),
            D(160),
            None,
            False,
            False,
            ("dicyclomine",),
            "Label up to 40 mg four times daily (reference §8)",
        ),
        Medicine(
            "hydroxyzine",
            "Hydroxyzine",
            Family.ANXIOLYTIC,
            "oral",
            _mg("25", "50"),
            D(50),
            D(100),
            None,
            False,
            True,
            ("hydroxyzine",),
            "EMA/MHRA 2015: 100 mg/day because of QT (reference §8)",
        ),
        Medicine(
            "trazodone",
            "Trazodone",
            Family.HYPNOTIC,
            "oral",
            _mg("50", "100"),
            D(100),
            D(100),
            None,
            False,
            True,
            ("trazodone",),
            "25-100 mg at night, off-label for sleep (reference §8)",
        ),
        Medicine(
            "methocarbamol",
            "Methocarbamol",
            Family.MUSCLE_RELAXANT,
            "oral",
            _mg("500", "750"),
            D(1500),
            D(6000),
            None,
            False,
            False,
            ("methocarbamol",),
            "Label up to 6 g/day for 48-72 h (reference §8)",
        ),
    )
}
