"""Taper schedules: never rise, every step dispensable, end at the floor; bad requests are named."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detoxflow.clinical.tapers import TaperMethod, TaperRefused, build_taper, dispensable_unit

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


def test_a_percentage_taper_rounds_down_to_tablets_and_never_stalls():
    steps = build_taper(
        start_mg=D(40),
        method=TaperMethod.PERCENT,
        step=D(20),
        step_days=1,
        floor_mg=D(0),
        strengths_mg=METHADONE,
        start=START,
    )
    assert [s.dose_mg for s in steps] == [40, 30, 20, 15, 10, 5, 0]


def test_films_of_4_and_12_make_2_mg_units_with_tablets():
    assert dispensable_unit((D(2), D(4), D(8), D(12))) == 2
    assert dispensable_unit((D("0.1"), D("0.2"))) == D("0.1")


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


@given(
    st.integers(1, 16).map(lambda n: D(n * 2)),
    st.sampled_from(list(TaperMethod)),
    st.integers(1, 60),
    st.integers(1, 7),
    st.integers(0, 6).map(lambda n: D(n * 2)),
)
def test_taper_properties(start_mg, method, step, step_days, floor_mg):
    if floor_mg >= start_mg:
        floor_mg = D(0)
    step_size = D(step) if method is TaperMethod.PERCENT else D(min(step, 8))
    steps = build_taper(
        start_mg=start_mg,
        method=method,
        step=step_size,
        step_days=step_days,
        floor_mg=floor_mg,
        strengths_mg=BUP,
        start=START,
    )
    doses = [s.dose_mg for s in steps]
    assert doses[0] == start_mg
    assert all(later <= earlier for earlier, later in zip(doses, doses[1:], strict=False)), "never rises"
    assert doses[-1] == floor_mg, "ends at the floor"
    assert all(d % 2 == 0 for d in doses), "every step can be dispensed from 2 and 8 mg tablets"
    assert [s.day for s in steps] == list(range(1, len(steps) + 1))
