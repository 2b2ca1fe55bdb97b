"""Census and patient page issue a fixed number of queries whatever the history behind them."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.demo.synthetic import seed_facility
from detoxflow.episodes.models import Episode
from detoxflow.facilities.models import Facility, Unit
from detoxflow.facilities.queries import census_for_unit
from detoxflow.patients.models import Patient
from tests.factories import UserFactory


def _count(client, url):
    # The facility's first audited request also creates its audit chain's head; count a request after that.
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def grow(db):
    """Add synthetic facilities' worth of history, as the benchmark does, to the same database."""
    rng = random.Random(3)

    def add(index, patients):
        seed_facility(
            index,
            patients=patients,
            history_days=90,
            now=timezone.now(),
            rng=rng,
            password_hash="!unusable",
            demo_logins=False,
        )

    return add


def _signed_in_manager(client):
    facility = Facility.objects.order_by("pk").first()
    user = UserFactory(role=Role.UNIT_MANAGER, facility=facility)
    client.force_login(user)
    return facility


def test_census_query_count_does_not_grow_with_history(client, grow):
    grow(1, 30)
    facility = _signed_in_manager(client)
    unit = Unit.objects.filter(facility=facility).first()
    small = _count(client, f"/units/{unit.pk}/census/")
    assert small > 0
    grow(2, 400)
    grow(3, 400)
    assert _count(client, f"/units/{unit.pk}/census/") == small


def test_patient_page_query_count_does_not_grow_with_episodes(client, grow):
    grow(1, 30)
    facility = _signed_in_manager(client)
    patient = Patient.objects.filter(facility=facility, episodes__discharged_at__isnull=False).first()
    small = _count(client, f"/patients/{patient.pk}/")
    assert small > 0
    for days in range(1, 6):  # five more discharged stays, each with a timeline
        Episode.objects.create(
            facility=facility,
            patient=patient,
            stage="discharged",
            opened_at=timezone.now() - dt.timedelta(days=days + 100),
            discharged_at=timezone.now() - dt.timedelta(days=days + 99),
            discharge_type="completed",
        )
    assert _count(client, f"/patients/{patient.pk}/") == small


def test_census_lists_every_bed_with_its_occupant(grow):
    grow(1, 40)
    unit = Unit.objects.order_by("pk").first()
    rows = census_for_unit(unit, timezone.now())
    assert len(rows) == 16
    occupied = [r for r in rows if r.episode]
    assert occupied
    assert all(r.episode.discharged_at is None for r in occupied)
    # A booked patient holds the bed before arriving: no day of stay until admitted.
    assert all((r.days_since_admission is not None) == (r.episode.admitted_at is not None) for r in occupied)
