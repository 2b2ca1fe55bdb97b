"""Taper schedules: never rise, never cut more than asked while a smaller makeable dose exists, every
step made of whole tablets or films, end at the floor; bad requests are named.

Sources: reference §9 (round to dispensable strengths: buprenorphine 2/8 mg tablets, films also 4/12 mg;
methadone 5/10 mg tablets) and §5 (methadone inpatient up to 20% of the daily dose per day).
"""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detoxflow.clinical.tapers import TaperMethod, TaperRefused, build_taper, makeable, makeable_doses

START = dt.date(2026, 11, 20)
BUP = (D(2), D(8))
METHADONE = (D(5), D(10))


def test_a_buprenorphine_linear_taper_day_by_day():
    steps = build_taper(
        start_mg=D(8), method=TaperMethod.LINEAR, step=D(2), step_days=2, floor_mg=D(0), strengths_mg=BUP, start=START
    )
    assert [(s.day, s.dose_mg) for s in steps] == [
        (1, 8),
        (2, 8),
        (3, 6),
        (4, 6),
        (5, 4),
        (6, 4),
        (7, 2),
        (8, 2),
        (9, 0),
    ]
    assert steps[-1].date == START + dt.timedelta(days=8)


def taper(start, method, step, strengths, floor=0, step_days=1):
    steps = build_taper(
        start_mg=D(start),
        method=method,
        step=D(step),
        step_days=step_days,
        floor_mg=D(floor),
        strengths_mg=tuple(D(x) for x in strengths),
        start=START,
    )
    return [s.dose_mg for s in steps]


@pytest.mark.parametrize(
    ("start", "method", "step", "strengths", "expected"),
    [
        # §5: 20% a day of 40 mg asks for 8 mg off; 35 mg is the smallest makeable dose within it.
        (40, TaperMethod.PERCENT, 20, METHADONE, [40, 35, 30, 25, 20, 15, 10, 5, 0]),
        (60, TaperMethod.PERCENT, 10, METHADONE, [60, 55, 50, 45, 40, 35, 30, 25, 20, 15, 10, 5, 0]),
        (40, TaperMethod.LINEAR, 10, METHADONE, [40, 30, 20, 10, 0]),
        (40, TaperMethod.LINEAR, 7, METHADONE, [40, 35, 30, 25, 20, 15, 10, 5, 0]),
        # §9: 8 and 12 mg films make 8, 12, 16, 20, 24 ... but never 4.
        (24, TaperMethod.LINEAR, 4, (8, 12), [24, 20, 16, 12, 8, 0]),
        (16, TaperMethod.LINEAR, 2, BUP, [16, 14, 12, 10, 8, 6, 4, 2, 0]),
        (16, TaperMethod.PERCENT, 25, (2, 4, 8, 12), [16, 12, 10, 8, 6, 4, 2, 0]),
    ],
    ids=[
        "methadone-40-20pct-per-day",
        "methadone-60-10pct",
        "methadone-linear-10",
        "methadone-linear-7-rounds-to-5",
        "films-8-12-no-4mg-step",
        "bup-linear-2",
        "bup-films-25pct",
    ],
)
def test_tapers_from_the_sources_day_by_day(start, method, step, strengths, expected):
    assert taper(start, method, step, strengths) == [D(x) for x in expected]


def test_a_20_percent_methadone_taper_never_cuts_more_than_a_fifth_while_a_smaller_cut_exists():
    doses = taper(40, TaperMethod.PERCENT, 20, METHADONE)
    for current, following in zip(doses, doses[1:], strict=False):
        if current - following > current * D("0.2"):
            # Only allowed when no makeable dose lies between the asked-for dose and the current one.
            assert following == max(d for d in makeable_doses(current, METHADONE) if d < current)


@pytest.mark.parametrize(
    ("dose", "strengths", "expected"),
    [
        (4, (8, 12), False),
        (20, (8, 12), True),
        (28, (8, 12), True),
        (10, (8, 12), False),
        (6, (2, 8), True),
        (7, (2, 8), False),
        (D("0.3"), ("0.1", "0.2"), True),
        (D("0.375"), ("0.125",), True),
        (D("0.37"), ("0.125",), False),
        (0, (5, 10), True),
    ],
    ids=[
        "4mg-from-8-12-films",
        "20-from-8-12",
        "28-from-8-12",
        "10-from-8-12",
        "6-from-2-8",
        "7-from-2-8",
        "clonidine-0.3",
        "three-decimals-kept",
        "three-decimals-not-truncated",
        "zero-is-no-tablet",
    ],
)
def test_a_dose_is_makeable_only_as_a_sum_of_whole_units(dose, strengths, expected):
    assert makeable(D(dose), tuple(D(x) for x in strengths)) is expected


def test_a_start_the_strengths_cannot_make_is_refused_naming_them():
    with pytest.raises(TaperRefused) as refused:
        taper(10, TaperMethod.LINEAR, 2, (8, 12))
    assert refused.value.field == "start_mg"
    assert "8 mg and 12 mg" in refused.value.message


def test_strengths_with_three_decimals_are_not_truncated():
    # 0.125 mg units: a truncating scale of 0.01 would make 0.12 and drift; every step must stay exact.
    doses = taper(D("0.5"), TaperMethod.LINEAR, D("0.125"), ("0.125",))
    assert doses == [D("0.5"), D("0.375"), D("0.25"), D("0.125"), D(0)]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start_mg": D(0)}, "start_mg"),
        ({"floor_mg": D(8)}, "floor_mg"),
        ({"step": D(0)}, "step"),
        ({"method": TaperMethod.PERCENT, "step": D(100)}, "step"),
        ({"step_days": 0}, "step_days"),
        ({"start_mg": D(7)}, "start_mg"),
        ({"strengths_mg": ()}, "strengths_mg"),
    ],
    ids=["zero-start", "floor-at-start", "zero-step", "100-percent", "zero-days", "odd-start", "no-strengths"],
)
def test_impossible_tapers_are_refused_by_field(changes, field):
    args = {
        "start_mg": D(8),
        "method": TaperMethod.LINEAR,
        "step": D(2),
        "step_days": 1,
        "floor_mg": D(0),
        "strengths_mg": BUP,
        "start": START,
        **changes,
    }
    with pytest.raises(TaperRefused) as refused:
        build_taper(**args)
    assert refused.value.field == field


STRENGTH_SETS = [BUP, METHADONE, (D(8), D(12)), (D(2), D(4), D(8), D(12)), (D("0.1"), D("0.2"))]


@given(
    st.sampled_from(STRENGTH_SETS),
    st.integers(1, 40),
    st.sampled_from(list(TaperMethod)),
    st.integers(1, 60),
    st.integers(1, 7),
    st.data(),
)
def test_taper_properties(strengths, units, method, step, step_days, data):
    ladder = makeable_doses(max(strengths) * 10, strengths)
    start_mg = ladder[min(units, len(ladder) - 1)]
    floor_mg = data.draw(st.sampled_from([d for d in ladder if d < start_mg]))
    step_size = D(step) if method is TaperMethod.PERCENT else D(step) * min(strengths) / 2
    steps = build_taper(
        start_mg=start_mg,
        method=method,
        step=step_size,
        step_days=step_days,
        floor_mg=floor_mg,
        strengths_mg=strengths,
        start=START,
    )
    doses = [s.dose_mg for s in steps]
    assert doses[0] == start_mg
    assert all(later <= earlier for earlier, later in zip(doses, doses[1:], strict=False)), "never rises"
    assert doses[-1] == floor_mg, "ends at the floor"
    assert all(makeable(d, strengths) for d in doses), "every dose is whole tablets or films"
    assert [s.day for s in steps] == list(range(1, len(steps) + 1))
    for current, following in zip(doses, doses[1:], strict=False):
        if current == following:
            continue
        asked = step_size if method is TaperMethod.LINEAR else current * step_size / 100
        smaller_within = [d for d in ladder if current - asked <= d < current and d >= floor_mg]
        if smaller_within:
            assert current - following <= asked, "cuts no more than asked while a makeable dose allows it"
            assert following == min(smaller_within), "and takes the largest cut within what was asked"
        else:
            assert following == max(d for d in ladder if d < current and d >= floor_mg), "smallest possible cut"
