"""Reassessment schedule: each interval at its edge, due/overdue, and a simulated 72-hour stay."""

import datetime as dt

import pytest

from detoxflow.clinical.schedule import (
    PUBLISHED_REASSESSMENT_RULES as RULES,
)
from detoxflow.clinical.schedule import (
    Due,
    LastAssessment,
    dose_lateness,
    due_state,
    next_due,
)

T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("last", "dose", "expected"),
    [
        (None, None, T0),
        (None, T0 - 2 * H, T0 - H),
        (LastAssessment(T0, 4), None, T0 + 8 * H),
        (LastAssessment(T0, 5), None, T0 + 4 * H),
        (LastAssessment(T0, 12), T0 + H, T0 + 2 * H),
        (LastAssessment(T0, 12), T0 - 3 * H, T0 + H),
        (LastAssessment(T0, 12), T0 - 4 * H, T0 + 4 * H),
        (LastAssessment(T0, 3), T0 - H, T0 + 8 * H),
    ],
    ids=[
        "never-assessed",
        "dosed-before-first-assessment",
        "stable-below-5",
        "symptomatic-at-5",
        "dose-after-last-assessment",
        "symptomatic-within-dose-window",
        "window-edge-4h",
        "stable-after-dose",
    ],
)
def test_next_due_for_each_situation(last, dose, expected):
    assert next_due(started=T0, last=last, last_dose_at=dose) == expected


@pytest.mark.parametrize(
    ("minutes_past", "state"),
    [(-1, Due.NOT_YET), (0, Due.DUE), (30, Due.DUE), (31, Due.OVERDUE)],
    ids=["before", "at-due", "grace-edge", "overdue"],
)
def test_due_state_around_the_grace_period(minutes_past, state):
    assert due_state(T0, T0 + dt.timedelta(minutes=minutes_past)) is state


def test_a_simulated_72_hour_stay_is_never_left_unassessed_longer_than_a_shift():
    """Induction on day 1, symptomatic on day 2, stable on day 3; nurses assess exactly when due."""
    doses = [T0 + dt.timedelta(hours=h) for h in (1, 3, 5, 26)]

    def cows_at(t):
        hours = (t - T0) / H
        return 14 if hours < 6 else 8 if hours < 48 else 2

    now, last, timeline = T0, None, []
    dose_queue = list(doses)
    while now < T0 + 72 * H:
        last_dose = max((d for d in doses if d <= now), default=None)
        due = next_due(started=T0, last=last, last_dose_at=last_dose)
        if dose_queue and dose_queue[0] < due:
            now = dose_queue.pop(0)
            continue
        now = max(due, now)
        last = LastAssessment(now, cows_at(now))
        timeline.append(now)
    gaps = [(b - a) / H for a, b in zip(timeline, timeline[1:], strict=False)]
    assert timeline[0] == T0
    assert max(gaps) <= RULES.stable_hours
    first_day = [t for t in timeline if t < T0 + 6 * H]
    assert len(first_day) >= 5, "hourly checks after induction doses"
    assert all(g == RULES.stable_hours for g in gaps[-3:]), "a stable patient is seen once a shift"


@pytest.mark.parametrize(
    ("minutes", "state"),
    [(30, None), (31, "late"), (120, "late"), (121, "missed")],
    ids=["30-on-time", "31-late", "120-late", "121-missed"],
)
def test_scheduled_dose_lateness_at_its_edges(minutes, state):
    assert dose_lateness(T0, T0 + dt.timedelta(minutes=minutes)) == state
