"""Patient API: registration and edits answer bad input with the field and leave data as it was."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.errors import InvalidInput
from detoxflow.patients import services
from detoxflow.patients.checks import unsafe_record_numbers
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


UNSAFE_MRNS = pytest.mark.parametrize(
    ("mrn", "named"),
    [("SYN\r\n2", "a line break"), ('SYN"2', "a quote"), ("SYN'2", "a quote"), (" SYN-2", "a space"), ("=SYN2", "'='")],
    ids=["crlf", "double-quote", "single-quote", "leading-space", "spreadsheet-formula"],
)


@UNSAFE_MRNS
def test_an_unsafe_mrn_is_refused_by_field_on_registration_and_edit(intake, patient, mrn, named):
    before = Patient.objects.count()
    registered = post(intake, "/api/patients", {**VALID, "mrn": mrn})
    assert (registered.status_code, registered.json()["field"]) == (422, "mrn")
    assert f"{named} is not allowed" in registered.json()["message"]
    assert "letters, digits and . _ / -" in registered.json()["message"]
    edited = post(intake, f"/api/patients/{patient.pk}", {"mrn": mrn}, "patch")
    assert (edited.status_code, edited.json()["field"]) == (422, "mrn")
    patient.refresh_from_db()
    assert (Patient.objects.count(), patient.mrn) == (before, "SYN-000001")


def test_every_character_of_the_safe_set_is_accepted(intake):
    response = post(intake, "/api/patients", {**VALID, "mrn": "Ab9-_./z"})
    assert response.status_code == 201
    assert response.json()["mrn"] == "Ab9-_./z"


@UNSAFE_MRNS
def test_the_registration_service_refuses_an_unsafe_mrn_for_every_door(staff, mrn, named):
    # Booking a bed for a new patient and the FHIR import register through the service, past any schema.
    values = {**VALID, "mrn": mrn, "date_of_birth": dt.date(1988, 2, 3)}
    with pytest.raises(InvalidInput) as refused:
        services.register_patient(staff[Role.INTAKE_COORDINATOR], values, address=None, now=timezone.now())
    assert refused.value.field == "mrn"
    assert f"{named} is not allowed" in refused.value.message
    assert not Patient.objects.filter(mrn=mrn).exists()


def test_stored_unsafe_mrns_are_reported_by_id_and_left_as_they_are(patient, facility):
    """Rows written before the rule: `manage.py check --database default` (and every migrate) warns about them."""
    assert unsafe_record_numbers(databases=["default"]) == []
    legacy = Patient.objects.create(
        facility=facility, mrn="SYN\r\n7", given_name="A", family_name="B", date_of_birth="1990-01-01", sex="male"
    )
    Patient.objects.create(
        facility=facility, mrn="-SYN8", given_name="C", family_name="D", date_of_birth="1990-01-01", sex="male"
    )
    [warning] = unsafe_record_numbers(databases=["default"])
    assert warning.id == "patients.W001"
    assert "2 patient(s)" in warning.msg
    assert str(legacy.pk) in warning.msg
    assert "SYN" not in warning.msg  # ids, not the numbers themselves
    legacy.refresh_from_db()
    assert legacy.mrn == "SYN\r\n7"
