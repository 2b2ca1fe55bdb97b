"""Patient screens: the record page, registration with inline errors, allergies."""

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.episodes import services
from detoxflow.patients.models import Patient


@pytest.fixture
def nurse(client_as):
    return client_as(Role.NURSE)


def test_patient_page_shows_demographics_and_timeline_and_is_audited(nurse, patient, staff):
    services.open_episode(
        staff[Role.PHYSICIAN], patient, reason="Phone screen, wants help", now=patient.created_at, address=None
    )
    page = nurse.get(f"/patients/{patient.pk}/").content.decode()
    assert "Sampleton, Alex" in page
    assert "SYN-000001" in page
    assert "Phone screen, wants help" in page
    assert "Pre-admission" in page
    assert AuditEvent.objects.filter(action="patient.view", patient_id=patient.pk, user_name="nora").exists()


def test_registration_form_shows_the_error_beside_the_field(nurse, patient):
    response = nurse.post(
        "/patients/new/",
        {"mrn": "SYN-000001", "given_name": "A", "family_name": "B", "date_of_birth": "1990-02-30", "sex": "female"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["date_of_birth"] == ["Enter the date of birth as YYYY-MM-DD."]


def test_registration_refuses_a_duplicate_mrn_on_the_mrn_field(nurse, patient):
    response = nurse.post(
        "/patients/new/",
        {"mrn": "SYN-000001", "given_name": "A", "family_name": "B", "date_of_birth": "1990-02-03", "sex": "female"},
    )
    assert response.status_code == 400
    assert "already used in this facility" in response.context["form"].errors["mrn"][0]
    assert Patient.objects.filter(mrn="SYN-000001").count() == 1


def test_registration_creates_and_redirects_to_the_record(nurse, facility):
    response = nurse.post(
        "/patients/new/",
        {
            "mrn": "SYN-9",
            "given_name": "Quinn",
            "family_name": "Fictus",
            "date_of_birth": "1985-07-01",
            "sex": "unknown",
        },
    )
    created = Patient.objects.get(mrn="SYN-9")
    assert response["Location"] == f"/patients/{created.pk}/"
    assert created.facility_id == facility.pk


def test_allergy_is_added_and_shown(nurse, patient):
    nurse.post(f"/patients/{patient.pk}/allergies/", {"substance": "Penicillin", "reaction": "rash"})
    assert "Penicillin — rash" in nurse.get(f"/patients/{patient.pk}/").content.decode()


def test_blank_allergy_is_refused_on_its_field(nurse, patient):
    response = nurse.post(f"/patients/{patient.pk}/allergies/", {"substance": ""})
    assert response.status_code == 400
    assert "substance" in response.context["form"].errors
    assert not patient.allergies.exists()


@pytest.mark.parametrize(
    ("mrn", "named"),
    [("SYN\r\n9", "a line break"), ('SYN"9', "a quote"), ("SYN 9", "a space")],
    ids=["crlf", "quote", "inner-space"],
)
def test_registration_refuses_an_unsafe_mrn_on_the_mrn_field(nurse, facility, mrn, named):
    response = nurse.post(
        "/patients/new/",
        {"mrn": mrn, "given_name": "Quinn", "family_name": "Fictus", "date_of_birth": "1985-07-01", "sex": "unknown"},
    )
    assert response.status_code == 400
    assert f"{named} is not allowed" in response.context["form"].errors["mrn"][0]
    assert not Patient.objects.exists()
