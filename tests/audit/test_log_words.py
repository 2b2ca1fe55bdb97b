"""The audit log reads as a manager says it: role names, actions in words, the patient named, found by name."""

import ast
import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from detoxflow.accounts.permissions import Action, Role
from detoxflow.audit.actions import AuditAction, action_label
from detoxflow.audit.models import AuditEvent
from detoxflow.audit.queries import audit_rows
from detoxflow.audit.services import record_event
from tests.factories import PatientFactory

SOURCE = Path(__file__).resolve().parents[2] / "detoxflow"
WRITERS = {"record_event", "record_request_event", "_audit", "_audit_run", "_audit_staff_change"}


@pytest.fixture
def cast(staff, patient, facility):
    """Alex Sampleton (SYN-000001) had a stage change by Nora; Robin Testwell (SYN-000002) was viewed by Phil."""
    robin = PatientFactory(facility=facility, given_name="Robin", family_name="Testwell", mrn="SYN-000002")
    nurse, phil = staff[Role.NURSE], staff[Role.PHYSICIAN]
    with time_machine.travel(dt.datetime(2026, 11, 2, 15, 4, 5, tzinfo=dt.UTC), tick=False):
        record_event(actor=nurse, action="episode.change_stage", patient_id=patient.pk)
    with time_machine.travel(dt.datetime(2026, 11, 2, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        record_event(actor=phil, action="patient.view", patient_id=robin.pk)
    return patient, robin


def _rows(response):
    return [(r.event.user_name, r.action, r.patient.mrn if r.patient else None) for r in response.context["rows"]]


def test_actions_roles_and_patients_are_in_words(client_as, cast):
    response = client_as(Role.UNIT_MANAGER).get("/audit/")
    page = response.content.decode()
    assert "Changed stage" in page
    assert "episode.change_stage" not in page
    assert '<td data-label="Role">Nurse</td>' in page
    assert "intake_coordinator" not in page
    assert "Sampleton, Alex" in page
    assert "SYN-000001" in page
    assert "Mon 2 Nov 2026, 10:04:05" in page  # to the second, in the facility's time (New York)


@pytest.mark.parametrize(
    ("search", "expected"),
    [("Sampleton", ["SYN-000001"]), ("alex samp", ["SYN-000001"]), ("syn-000002", ["SYN-000002"]), ("Nobody", [])],
    ids=["family-name", "words-any-case", "record-number-any-case", "no-one"],
)
def test_filter_by_patient_name_or_record_number(client_as, cast, search, expected):
    response = client_as(Role.UNIT_MANAGER).get("/audit/", {"patient": search})
    assert response.status_code == 200
    assert [mrn for _, _, mrn in _rows(response)] == expected


def test_filter_by_record_id_still_works(client_as, cast):
    robin = cast[1]
    response = client_as(Role.UNIT_MANAGER).get("/audit/", {"patient": str(robin.pk)})
    assert _rows(response) == [("phil", "Viewed the patient record", "SYN-000002")]


def test_the_administrator_sees_record_ids_not_names(client_as, cast):
    alex, _ = cast
    response = client_as(Role.ADMINISTRATOR).get("/audit/")
    page = response.content.decode()
    assert "Sampleton" not in page
    assert f"Record {alex.pk}" in page
    assert "sees patients by record id, not by name" in page
    # ...and cannot find a patient by name either: the filter matches nobody it may not name.
    assert client_as(Role.ADMINISTRATOR).get("/audit/", {"patient": "Sampleton"}).context["rows"] == []


def test_a_refused_request_reads_as_the_permission_it_lacked(client_as, cast):
    client_as(Role.COUNSELOR).get("/audit/")  # refused: counselors may not read the audit log
    rows = client_as(Role.UNIT_MANAGER).get("/audit/").context["rows"]
    refused = next(r for r in rows if r.event.action == Action.VIEW_AUDIT_LOG.value)
    assert (refused.action, refused.role, refused.event.get_outcome_display()) == (
        "View the audit log",
        "Counselor",
        "Denied",
    )


def test_an_unknown_code_is_still_put_into_words():
    assert action_label("ward_round.sign_off") == "Ward round sign off"
    assert action_label("") == "Unnamed event"


def test_rows_name_every_patient_in_one_query(staff, facility, cast):
    for _ in range(6):
        record_event(actor=staff[Role.NURSE], action="patient.view", patient_id=PatientFactory(facility=facility).pk)
    events = list(AuditEvent.objects.order_by("-pk"))
    with CaptureQueriesContext(connection) as queries:
        rows = audit_rows(staff[Role.UNIT_MANAGER], events)
    assert len(queries) == 1
    assert all(r.patient is not None for r in rows)


def _written_codes():
    """Every literal action code the product's source hands to the audit writers."""
    codes = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in WRITERS:
                continue
            candidates = [k.value for k in node.keywords if k.arg == "action"] + node.args[:3]
            codes |= {c.value for c in candidates if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return {c for c in codes if c and c.replace(".", "").replace("_", "").isalpha() and c == c.lower()}


def test_every_code_the_product_writes_has_words():
    labelled = {a.value for a in AuditAction}
    missing = sorted(c for c in _written_codes() - labelled if c not in {a.value for a in Action})
    assert missing == [], f"add these to detoxflow/audit/actions.py AuditAction: {missing}"
