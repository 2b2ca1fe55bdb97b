"""The audit log page: managers filter by patient, user and date; bad filters are named."""

import datetime as dt

import pytest
import time_machine

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.audit.services import record_event


@pytest.fixture
def history(staff):
    nurse, phil = staff[Role.NURSE], staff[Role.PHYSICIAN]
    with time_machine.travel(dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC), tick=False):
        record_event(actor=nurse, action="patient.view", patient_id=11)
    with time_machine.travel(dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC), tick=False):
        record_event(actor=phil, action="patient.view", patient_id=12)
        record_event(actor=nurse, action="patient.update", patient_id=12)


def _actions(response):
    return [(e.user_name, e.action, e.patient_id) for e in response.context["events"]]


def test_filter_by_patient(client_as, history):
    response = client_as(Role.UNIT_MANAGER).get("/audit/?patient=12")
    assert _actions(response) == [("nora", "patient.update", 12), ("phil", "patient.view", 12)]


def test_filter_by_user_and_dates(client_as, history):
    response = client_as(Role.UNIT_MANAGER).get("/audit/?user=nora&start=2026-11-01&end=2026-11-05")
    assert _actions(response) == [("nora", "patient.view", 11)]


def test_end_before_start_is_named(client_as, history):
    response = client_as(Role.UNIT_MANAGER).get("/audit/?start=2026-11-10&end=2026-11-01")
    assert response.status_code == 400
    assert response.context["form"].errors["end"] == ["The end date is before the start date."]


def test_viewing_the_log_is_itself_audited(client_as, history):
    client_as(Role.ADMINISTRATOR).get("/audit/?patient=12")
    assert AuditEvent.objects.filter(action="audit.view", user_name="ada").exists()
