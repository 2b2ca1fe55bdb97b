"""OOWS, Handelsman's Objective Opiate Withdrawal Scale (1987): 13 signs observed over 5 minutes, 0-13.

Each sign is absent (0) or present (1). No standard severity bands exist (reference §2), so the
scale carries one honest band; a facility may configure its own.
"""

from __future__ import annotations

from detoxflow.clinical.scales.instrument import Anchor, Band, Instrument, Item

_PRESENCE = (Anchor(0, "Absent"), Anchor(1, "Present"))
_SIGNS = (
    ("yawning", "Yawning", "At least one yawn"),
    ("rhinorrhoea", "Rhinorrhoea", "Three or more sniffs"),
    ("piloerection", "Piloerection", "Look at the arm"),
    ("perspiration", "Perspiration", "Observed"),
    ("lacrimation", "Lacrimation", "Observed"),
    ("mydriasis", "Mydriasis", "Observed"),
    ("tremor", "Tremor", "Hands"),
    ("flushes", "Hot and cold flushes", "Shivering or huddling for warmth"),
    ("restlessness", "Restlessness", "Frequent shifts of position"),
    ("vomiting", "Vomiting", "Observed"),
    ("twitches", "Muscle twitches", "Observed"),
    ("cramps", "Abdominal cramps", "Holding the stomach"),
    ("anxiety", "Anxiety", "Observed"),
)

OOWS = Instrument(
    code="OOWS",
    name="Objective Opiate Withdrawal Scale",
    version="Handelsman 1987 (13 signs, 5-minute observation)",
    rater="observer",
    items=tuple(Item(key, name, how, _PRESENCE) for key, name, how in _SIGNS),
    bands=(Band("Signs observed (no published bands)", 0, 13),),
    source="Handelsman L et al. Am J Drug Alcohol Abuse 1987;13(3):293-308",
    bands_source="No standard severity bands published (reference §2)",
    local_code="detoxflow-oows-total",
)
