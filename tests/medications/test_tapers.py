"""Maintenance before tapering, versioned tapers, and the MAR following the current version."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from detoxflow.accounts.permissions import Role
from detoxflow.errors import InvalidInput
from detoxflow.medications import services, tapering
from detoxflow.medications.models import MedicationAdministration, TaperPlan
from detoxflow.medications.queries import mar_for_episode
from tests.builders import signed_order

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
SHAPE = {
    "method": "linear",
    "start_mg": Decimal(8),
    "step": Decimal(2),
    "step_days": 2,
    "floor_mg": Decimal(0),
    "start_date": dt.date(2026, 11, 21),
}


@pytest.fixture
def order(staff, episode):
    return signed_order(staff[Role.PHYSICIAN], episode, "buprenorphine_sl", "as_needed", 8, 8, 16, 600, T0)


def test_a_taper_needs_the_maintenance_offer_first(staff, order):
    physician = staff[Role.PHYSICIAN]
    with pytest.raises(InvalidInput, match="Offer maintenance first"):
        tapering.plan_taper(physician, order, SHAPE, reason="planned", now=T0, address=None)
    tapering.record_maintenance_offer(physician, order.episode, "maintenance", "wants to stay on", now=T0, address=None)
    with pytest.raises(InvalidInput, match="chose to continue maintenance"):
        tapering.plan_taper(physician, order, SHAPE, reason="planned", now=T0, address=None)


def test_edits_add_versions_and_the_mar_follows_the_newest(staff, order):
    physician = staff[Role.PHYSICIAN]
    tapering.record_maintenance_offer(
        physician, order.episode, "taper", "counselled on overdose risk", now=T0, address=None
    )
    first = tapering.plan_taper(physician, order, SHAPE, reason="planned", now=T0, address=None)
    assert first.steps[:3] == [["2026-11-21", "8"], ["2026-11-22", "8"], ["2026-11-23", "6"]]
    held = tapering.plan_taper(
        physician,
        order,
        {**SHAPE, "start_mg": Decimal(6), "step_days": 3, "start_date": dt.date(2026, 11, 23)},
        reason="COWS 14 on the 6 mg step: hold longer",
        now=T0,
        address=None,
    )
    assert (first.version, held.version) == (1, 2)
    assert TaperPlan.objects.filter(order=order).count() == 2
    with time_machine.travel(dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC), tick=False):
        (line,) = [
            ln
            for ln in mar_for_episode(order.episode, dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC))
            if ln.order.pk == order.pk
        ]
    assert (line.taper_version, line.dose_now) == (2, Decimal(4))


def test_a_recorded_dose_defaults_to_the_taper_dose(staff, order):
    physician = staff[Role.PHYSICIAN]
    tapering.record_maintenance_offer(physician, order.episode, "taper", "", now=T0, address=None)
    tapering.plan_taper(physician, order, SHAPE, reason="planned", now=T0, address=None)
    day = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
    given = services.record_administration(
        staff[Role.NURSE],
        order.pk,
        status="held",
        dose_mg=None,
        due_at=None,
        reason="asleep",
        now=day,
        address=None,
    )
    assert given.status == "held"
    assert MedicationAdministration.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"start_mg": Decimal(7)}, "start_mg"), ({"step": Decimal(0)}, "step")],
    ids=["not-dispensable", "zero-step"],
)
def test_an_impossible_taper_is_refused_by_field(staff, order, changes, field):
    physician = staff[Role.PHYSICIAN]
    tapering.record_maintenance_offer(physician, order.episode, "taper", "", now=T0, address=None)
    with pytest.raises(InvalidInput) as refused:
        tapering.plan_taper(physician, order, {**SHAPE, **changes}, reason="x", now=T0, address=None)
    assert refused.value.field == field
    assert not TaperPlan.objects.exists()


def test_taper_page_shows_the_table_and_history(client_as, staff, order):
    physician = client_as(Role.PHYSICIAN)
    physician.post(f"/episodes/{order.episode_id}/taper/maintenance/", {"choice": "taper", "note": "counselled"})
    physician.post(
        f"/episodes/{order.episode_id}/taper/plan/",
        {
            "order": order.pk,
            "method": "linear",
            "start_mg": "8",
            "step": "2",
            "step_days": "2",
            "floor_mg": "0",
            "start_date": "2026-11-21",
            "reason": "planned",
        },
    )
    page = physician.get(f"/episodes/{order.episode_id}/taper/").content.decode()
    assert "taper, version 1 (current)" in page
    assert "2026-11-29" in page
