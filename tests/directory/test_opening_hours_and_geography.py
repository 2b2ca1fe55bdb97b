"""Opening hours (including across midnight) and distances, without a database."""

import datetime as dt

import pytest

from detoxflow.directory.geography import PlaceUnknown, distance_km, locate
from detoxflow.directory.opening_hours import HoursRejected, is_open, parse_hours

FRIDAY = dt.date(2026, 11, 20)


def at(day_offset, hhmm):
    hour, minute = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(FRIDAY + dt.timedelta(days=day_offset), dt.time(hour, minute))


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (at(0, "07:59"), False),
        (at(0, "08:00"), True),
        (at(0, "16:59"), True),
        (at(0, "17:00"), False),
        (at(0, "21:59"), False),
        (at(0, "22:00"), True),
        (at(0, "23:59"), True),
        (at(1, "00:00"), True),
        (at(1, "01:59"), True),
        (at(1, "02:00"), False),
        (at(1, "09:00"), False),
        (at(3, "01:00"), False),
    ],
    ids=[
        "fri-before-open",
        "fri-opens",
        "fri-before-close",
        "fri-closes",
        "fri-evening-gap",
        "fri-night-opens",
        "fri-before-midnight",
        "sat-midnight",
        "sat-1-59",
        "sat-2-00-closed",
        "sat-morning",
        "mon-1am",
    ],
)
def test_open_across_midnight(when, expected):
    hours = parse_hours("mon-fri 08:00-17:00; fri 22:00-02:00")
    assert is_open(hours, when) is expected


def test_always_open():
    assert all(is_open(parse_hours("24/7"), at(d, "03:30")) for d in range(7))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon-fri 8-17", "should look like"),
        ("mon 08:00-08:00", "same time"),
        ("mon 25:00-26:00", "not a time"),
        ("fri-mon 08:00-17:00", "runs backwards"),
        ("xyz 08:00-17:00", "days are"),
    ],
    ids=["no-minutes", "zero-length", "bad-hour", "backwards", "bad-day"],
)
def test_unreadable_hours_say_why(text, message):
    with pytest.raises(HoursRejected, match=message):
        parse_hours(text)


def test_distance_is_great_circle_kilometres():
    assert distance_km((40.0, -75.0), (40.0, -75.0)) == 0
    assert round(distance_km((40.0, -75.0), (41.0, -75.0)), 1) == 111.2


def test_locate_reads_coordinates_or_a_known_postcode():
    assert locate("40.1, -75.2", {}) == (40.1, -75.2)
    assert locate("zz101", {"ZZ101": (1.0, 2.0)}) == (1.0, 2.0)
    with pytest.raises(PlaceUnknown, match="not in this facility's list"):
        locate("ZZ999", {})
    with pytest.raises(PlaceUnknown, match="not a valid latitude"):
        locate("95, 10", {})
