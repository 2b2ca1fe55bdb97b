"""SOWS, Handelsman's Subjective Opiate Withdrawal Scale (1987): 16 patient-rated items 0-4, total 0-64.

Not Gossop's 10-item Short Opiate Withdrawal Scale (1990), which shares the abbreviation. The
1987 paper published no bands; these are the NIDA CTN-0051 cut-points, with 21 and above severe
so that totals 31-64 are not left without a band (reference §2). No LOINC code exists.
"""

from __future__ import annotations

from detoxflow.clinical.scales.instrument import Anchor, Band, Instrument, Item

_SCALE = tuple(
    Anchor(points, text)
    for points, text in ((0, "Not at all"), (1, "A little"), (2, "Moderately"), (3, "Quite a bit"), (4, "Extremely"))
)
_FEELINGS = (
    ("anxious", "I feel anxious"),
    ("yawning", "I feel like yawning"),
    ("perspiring", "I am perspiring"),
    ("eyes_tearing", "My eyes are tearing"),
    ("nose_running", "My nose is running"),
    ("goosebumps", "I have goosebumps"),
    ("shaking", "I am shaking"),
    ("hot_flushes", "I have hot flushes"),
    ("cold_flushes", "I have cold flushes"),
    ("aches", "My bones and muscles ache"),
    ("restless", "I feel restless"),
    ("nauseous", "I feel nauseous"),
    ("vomiting", "I feel like vomiting"),
    ("twitching", "My muscles twitch"),
    ("cramps", "I have stomach cramps"),
    ("craving", "I feel like using now"),
)

SOWS = Instrument(
    code="SOWS",
    name="Subjective Opiate Withdrawal Scale",
    version="Handelsman 1987 (16 items)",
    rater="patient",
    items=tuple(Item(key, text, "How you feel now", _SCALE) for key, text in _FEELINGS),
    bands=(Band("None", 0, 0), Band("Mild", 1, 10), Band("Moderate", 11, 20), Band("Severe", 21, 64)),
    source="Handelsman L et al. Am J Drug Alcohol Abuse 1987;13(3):293-308",
    bands_source="NIDA CTN-0051 cut-points (public.ctn0094data); the 1987 paper published none (reference §2)",
    local_code="detoxflow-sows-total",
)
