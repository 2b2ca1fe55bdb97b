"""Patient API: registration and edits answer bad input with the field and leave data as it was."""

import json

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.patients.models import Patient

VALID = {
    "mrn": "SYN-2",
    "given_name": "Rowan",
    "family_name": "Exampleby",
    "date_of_birth": "1988-02-03",
    "sex": "male",
}


@pytest.fixture
def intake(client_as):
    return client_as(Role.INTAKE_COORDINATOR)


def post(client, url, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_registers_a_patient_in_the_users_facility(intake, facility):
    response = post(intake, "/api/patients", VALID)
    assert response.status_code == 201
    created = Patient.objects.get(mrn="SYN-2")
    assert created.facility_id == facility.pk
    assert response.json()["id"] == created.pk
    assert AuditEvent.objects.filter(action="patient.register", patient_id=created.pk).exists()


@pytest.mark.parametrize(
    ("change", "status", "field", "message"),
    [
        ({"date_of_birth": "1988-13-45"}, 422, "date_of_birth", "date"),
        ({"date_of_birth": "2999-01-01"}, 400, "date_of_birth", "cannot be in the future"),
        ({"sex": "robot"}, 422, "sex", "Input should be"),
        ({"mrn": ""}, 422, "mrn", "at least 1 character"),
        ({"mrn": "SYN-000001"}, 409, "mrn", "already used in this facility"),
    ],
    ids=["malformed-date", "future-birth", "unknown-sex", "empty-mrn", "duplicate-mrn"],
)
def test_bad_registration_names_the_field_and_saves_nothing(intake, patient, change, status, field, message):
    before = Patient.objects.count()
    response = post(intake, "/api/patients", {**VALID, **change})
    assert response.status_code == status
    body = response.json()
    assert body["field"] == field
    assert message in body["message"]
    assert Patient.objects.count() == before


def test_a_duplicate_mrn_edit_leaves_the_record_unchanged(intake, patient, facility):
    other = Patient.objects.create(
        facility=facility, mrn="SYN-3", given_name="A", family_name="B", date_of_birth="1990-01-01", sex="male"
    )
    response = post(intake, f"/api/patients/{other.pk}", {"mrn": "SYN-000001", "phone": "555-0111"}, "patch")
    assert response.status_code == 409
    assert response.json()["field"] == "mrn"
    other.refresh_from_db()
    assert (other.mrn, other.phone) == ("SYN-3", "")


def test_null_for_a_required_field_is_refused_by_name(intake, patient):
    response = post(intake, f"/api/patients/{patient.pk}", {"given_name": None}, "patch")
    assert response.status_code == 400
    assert response.json() == {"field": "given_name", "message": "This field cannot be empty."}


def test_every_read_is_audited(intake, patient):
    intake.get(f"/api/patients/{patient.pk}")
    intake.get("/api/patients?family_name=Sampleton")
    assert AuditEvent.objects.filter(action="patient.view", patient_id=patient.pk, role="intake_coordinator").exists()
    assert AuditEvent.objects.filter(action="patient.list").exists()


def test_search_by_family_name(intake, patient):
    items = intake.get("/api/patients?family_name=sampleton").json()["items"]
    assert [p["mrn"] for p in items] == ["SYN-000001"]
