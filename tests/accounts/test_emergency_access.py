"""Break the glass: a unit-bound nurse reads another unit's patient only with a recorded reason; managers see it."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.episodes import services as episode_services
from tests.factories import BedFactory, UnitFactory

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def south_patient(staff, patient, facility):
    south = UnitFactory(facility=facility, name="South", code="south")
    episode = episode_services.open_episode(staff[Role.PHYSICIAN], patient, reason="call", now=T0, address=None)
    episode_services.assign_bed(staff[Role.PHYSICIAN], episode, BedFactory(unit=south, label="S01"), address=None)
    return patient


@pytest.fixture
def north_nurse(staff, unit):
    nurse = staff[Role.NURSE]
    nurse.unit = unit
    nurse.save()
    return nurse


@override_settings(SESSION_IDLE_MINUTES=600)  # the session outlives the grant, so the expiry is what is tested
def test_another_units_patient_needs_emergency_access(client_as, north_nurse, south_patient):
    client = client_as(Role.NURSE)
    with time_machine.travel(T0, tick=False):
        refused = client.get(f"/patients/{south_patient.pk}/")
        assert refused.status_code == 403
        assert f"/patients/{south_patient.pk}/emergency-access/" in refused.content.decode()
        short = client.post(f"/patients/{south_patient.pk}/emergency-access/", {"reason": "need"})
        assert short.status_code == 400
        client.post(
            f"/patients/{south_patient.pk}/emergency-access/",
            {"reason": "Covering South during a rapid response; need allergies now"},
        )
        assert client.get(f"/patients/{south_patient.pk}/").status_code == 200
    with time_machine.travel(T0 + dt.timedelta(hours=5), tick=False):
        assert client.get(f"/patients/{south_patient.pk}/").status_code == 403  # the grant expired
    assert AuditEvent.objects.filter(action="emergency_access.grant", patient_id=south_patient.pk).exists()
    assert AuditEvent.objects.filter(action="emergency_access.read").exists()


def test_managers_see_and_acknowledge_the_alert(client_as, north_nurse, south_patient):
    with time_machine.travel(T0, tick=False):
        client_as(Role.NURSE).post(
            f"/patients/{south_patient.pk}/emergency-access/", {"reason": "Covering South during a rapid response"}
        )
        manager = client_as(Role.UNIT_MANAGER)
        alerts = manager.get("/audit/").context["alerts"]
        assert [a.user_name for a in alerts] == [north_nurse.display_name]
        manager.post(f"/emergency-access/{alerts[0].pk}/acknowledge/")
        assert manager.get("/audit/").context["alerts"] == []


def test_unit_bound_users_still_read_their_own_unit(client_as, staff, unit, patient, north_nurse):
    episode = episode_services.open_episode(staff[Role.PHYSICIAN], patient, reason="call", now=T0, address=None)
    episode_services.assign_bed(staff[Role.PHYSICIAN], episode, BedFactory(unit=unit, label="N09"), address=None)
    assert client_as(Role.NURSE).get(f"/patients/{patient.pk}/").status_code == 200
