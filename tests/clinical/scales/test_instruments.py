"""COWS, SOWS and OOWS: every band edge from real answers, refusals by item, and scoring invariants."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detoxflow.clinical.scales import COWS, INSTRUMENTS, OOWS, SOWS
from detoxflow.clinical.scales.instrument import Band, Instrument, ItemValueRejected, band_for, score, with_bands


def answers_totalling(instrument: Instrument, total: int) -> dict[str, int]:
    """Real item answers that add up to `total`: fill items greedily with allowed values."""
    remaining = total
    answers = {}
    for item in instrument.items:
        pick = max((p for p in item.allowed if p <= remaining), default=0)
        answers[item.key] = pick
        remaining -= pick
    # Greedy can miss when a gap in allowed values strands a remainder; walk back and repair with smaller picks.
    if remaining:
        for item in instrument.items:
            for p in sorted(item.allowed):
                delta = p - answers[item.key]
                if 0 < delta <= remaining:
                    answers[item.key] = p
                    remaining -= delta
    assert remaining == 0, f"no answers total {total}"
    return answers


EDGES = [
    (COWS, 4, "No active withdrawal"),
    (COWS, 5, "Mild"),
    (COWS, 6, "Mild"),
    (COWS, 11, "Mild"),
    (COWS, 12, "Mild"),
    (COWS, 13, "Moderate"),
    (COWS, 14, "Moderate"),
    (COWS, 24, "Moderate"),
    (COWS, 25, "Moderately severe"),
    (COWS, 26, "Moderately severe"),
    (COWS, 36, "Moderately severe"),
    (COWS, 37, "Severe"),
    (COWS, 48, "Severe"),
    (COWS, 0, "No active withdrawal"),
    (SOWS, 0, "None"),
    (SOWS, 1, "Mild"),
    (SOWS, 10, "Mild"),
    (SOWS, 11, "Moderate"),
    (SOWS, 20, "Moderate"),
    (SOWS, 21, "Severe"),
    (SOWS, 31, "Severe"),
    (SOWS, 64, "Severe"),
    (OOWS, 0, "Signs observed (no published bands)"),
    (OOWS, 13, "Signs observed (no published bands)"),
]


@pytest.mark.parametrize(("instrument", "total", "band"), EDGES, ids=[f"{i.code}-{t}" for i, t, _ in EDGES])
def test_band_at_each_edge_from_real_answers(instrument, total, band):
    result = score(instrument, answers_totalling(instrument, total))
    assert (result.total, result.band.label) == (total, band)


@pytest.mark.parametrize(
    ("instrument", "maximum", "items"), [(COWS, 48, 11), (SOWS, 64, 16), (OOWS, 13, 13)], ids=["COWS", "SOWS", "OOWS"]
)
def test_range_and_item_count_match_the_published_scale(instrument, maximum, items):
    assert (instrument.min_total, instrument.max_total, len(instrument.items)) == (0, maximum, items)


def test_cows_pulse_cannot_be_three():
    answers = {**answers_totalling(COWS, 0), "pulse": 3}
    with pytest.raises(ItemValueRejected) as rejected:
        score(COWS, answers)
    assert rejected.value.field == "pulse"
    assert rejected.value.message == "Resting pulse: 3 is not an allowed value (allowed: 0, 1, 2, 4)."


def test_a_partly_filled_form_names_what_is_missing():
    answers = answers_totalling(COWS, 0)
    del answers["yawning"], answers["gooseflesh"]
    with pytest.raises(ItemValueRejected, match="Not scored yet: Yawning, Gooseflesh skin"):
        score(COWS, answers)


def test_an_unknown_item_is_refused():
    with pytest.raises(ItemValueRejected, match="heart_rate is not an item of Clinical Opiate Withdrawal Scale"):
        score(COWS, {**answers_totalling(COWS, 0), "heart_rate": 1})


def test_cows_carries_no_loinc_code():
    assert COWS.loinc_total is None
    assert "72514-3" not in COWS.local_code


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ((Band("a", 0, 10), Band("b", 12, 48)), "leave totals 11-11 without a band"),
        ((Band("a", 0, 10), Band("b", 10, 48)), "overlaps"),
        ((Band("a", 0, 40),), "must end at the maximum total 48"),
    ],
    ids=["gap", "overlap", "short"],
)
def test_facility_bands_must_cover_every_total_once(bands, message):
    with pytest.raises(ValueError, match=message):
        with_bands(COWS, bands, "facility")


def test_valid_facility_bands_replace_the_published_ones():
    custom = with_bands(COWS, (Band("Low", 0, 7), Band("High", 8, 48)), "Medical director 2026")
    assert band_for(custom, 8).label == "High"
    assert custom.bands_source == "Medical director 2026"


def _answers(instrument):
    return st.fixed_dictionaries({item.key: st.sampled_from(item.allowed) for item in instrument.items})


@pytest.mark.parametrize("instrument", list(INSTRUMENTS.values()), ids=list(INSTRUMENTS))
def test_total_is_the_sum_of_items_and_lands_in_one_band(instrument):
    @given(_answers(instrument))
    def check(answers):
        result = score(instrument, answers)
        assert result.total == sum(answers.values())
        assert sum(band.contains(result.total) for band in instrument.bands) == 1

    check()


@pytest.mark.parametrize("instrument", list(INSTRUMENTS.values()), ids=list(INSTRUMENTS))
def test_band_is_monotone_in_the_total(instrument):
    @given(
        st.integers(instrument.min_total, instrument.max_total), st.integers(instrument.min_total, instrument.max_total)
    )
    def check(a, b):
        low, high = sorted((a, b))
        assert instrument.bands.index(band_for(instrument, low)) <= instrument.bands.index(band_for(instrument, high))

    check()
