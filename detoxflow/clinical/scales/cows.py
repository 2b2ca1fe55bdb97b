"""COWS, the Clinical Opiate Withdrawal Scale (Wesson & Ling 2003): 11 clinician-rated items, total 0-48.

Each item accepts only the points printed on the form (pulse can never be 3). No LOINC code exists
for the panel or total; LOINC 72514-3 is a 0-10 pain score, wrongly used for COWS in public code
(reference §1), so a local code is used.
"""

from __future__ import annotations

from detoxflow.clinical.scales.instrument import Anchor, Band, Instrument, Item


def _item(key: str, name: str, how: str, *anchors: tuple[int, str]) -> Item:
    return Item(key, name, how, tuple(Anchor(p, t) for p, t in anchors))


COWS = Instrument(
    code="COWS",
    name="Clinical Opiate Withdrawal Scale",
    version="Wesson & Ling 2003",
    rater="clinician",
    items=(
        _item(
            "pulse",
            "Resting pulse",
            "After 1 minute sitting or lying",
            (0, "80 or below"),
            (1, "81-100"),
            (2, "101-120"),
            (4, "Over 120"),
        ),
        _item(
            "sweating",
            "Sweating",
            "Past ½ hour, not from room temperature or activity",
            (0, "No chills or flushing"),
            (1, "Reports chills or flushing"),
            (2, "Flushed or moisture on face"),
            (3, "Beads of sweat on brow or face"),
            (4, "Sweat streaming off face"),
        ),
        _item(
            "restlessness",
            "Restlessness",
            "During the assessment",
            (0, "Sits still"),
            (1, "Reports difficulty sitting still, but can"),
            (3, "Frequent shifting or extra limb movements"),
            (5, "Cannot sit still for more than a few seconds"),
        ),
        _item(
            "pupils",
            "Pupil size",
            "In room light",
            (0, "Pinned or normal for room light"),
            (1, "Possibly larger than normal"),
            (2, "Moderately dilated"),
            (5, "Only the rim of the iris visible"),
        ),
        _item(
            "aches",
            "Bone or joint aches",
            "Only the new part due to withdrawal",
            (0, "None"),
            (1, "Mild diffuse discomfort"),
            (2, "Reports severe diffuse aching"),
            (4, "Rubbing joints or muscles, cannot sit still"),
        ),
        _item(
            "runny_nose",
            "Runny nose or tearing",
            "Not from a cold or allergy",
            (0, "None"),
            (1, "Stuffy nose or unusually moist eyes"),
            (2, "Nose running or tearing"),
            (4, "Nose constantly running or tears streaming"),
        ),
        _item(
            "gi_upset",
            "GI upset",
            "Past ½ hour",
            (0, "None"),
            (1, "Stomach cramps"),
            (2, "Nausea or loose stool"),
            (3, "Vomiting or diarrhea"),
            (5, "Multiple episodes of vomiting or diarrhea"),
        ),
        _item(
            "tremor",
            "Tremor",
            "Outstretched hands",
            (0, "None"),
            (1, "Felt but not seen"),
            (2, "Slight, observable"),
            (4, "Gross tremor or muscle twitching"),
        ),
        _item(
            "yawning",
            "Yawning",
            "During the assessment",
            (0, "None"),
            (1, "Once or twice"),
            (2, "Three or more times"),
            (4, "Several times a minute"),
        ),
        _item(
            "anxiety",
            "Anxiety or irritability",
            "Observed and reported",
            (0, "None"),
            (1, "Reports increasing irritability or anxiety"),
            (2, "Obviously irritable or anxious"),
            (4, "So irritable or anxious that the assessment is hard"),
        ),
        _item(
            "gooseflesh",
            "Gooseflesh skin",
            "Arms",
            (0, "Skin smooth"),
            (3, "Piloerection felt or hairs standing up on arms"),
            (5, "Prominent piloerection"),
        ),
    ),
    bands=(
        # The form gives no label for 0-4; "no active withdrawal" is the usual wording (reference §1).
        Band("No active withdrawal", 0, 4),
        Band("Mild", 5, 12),
        Band("Moderate", 13, 24),
        Band("Moderately severe", 25, 36),
        Band("Severe", 37, 48),
    ),
    source="Wesson DR, Ling W. J Psychoactive Drugs 2003;35(2):253-9",
    bands_source="Bands printed on the COWS form; same cut-points in NIDA CTN-0027/0030 (reference §1)",
    local_code="detoxflow-cows-total",
)
