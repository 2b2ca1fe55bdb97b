"""FHIR R4 read and search: resources validate with fhir.resources, carry Part 2 labels, and refuse properly."""

import datetime as dt

from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.patient import Patient

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.episodes import services as episode_services
from tests.factories import PatientFactory


def test_patient_reads_validates_round_trips_and_is_labelled(client_as, patient):
    response = client_as(Role.NURSE).get(f"/fhir/Patient/{patient.pk}")
    assert response["Content-Type"] == "application/fhir+json"
    resource = Patient.model_validate_json(response.content)
    assert resource.identifier[0].value == "SYN-000001"
    assert (resource.name[0].family, resource.gender, str(resource.birthDate)) == ("Sampleton", "female", "1990-05-17")
    assert {c.code for c in resource.meta.security} == {"42CFRPart2", "OPIOIDUD", "R"}
    assert Patient.model_validate_json(resource.model_dump_json()) == resource
    assert AuditEvent.objects.filter(action="fhir.read", patient_id=patient.pk).exists()


def test_episode_of_care_and_search_bundle(client_as, staff, patient):
    episode = episode_services.open_episode(
        staff[Role.PHYSICIAN], patient, reason="call", now=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), address=None
    )
    nurse = client_as(Role.NURSE)
    resource = EpisodeOfCare.model_validate_json(nurse.get(f"/fhir/EpisodeOfCare/{episode.pk}").content)
    assert (resource.status, resource.patient.reference) == ("planned", f"Patient/{patient.pk}")
    bundle = Bundle.model_validate_json(nurse.get(f"/fhir/EpisodeOfCare?patient=Patient/{patient.pk}").content)
    assert bundle.total == 1
    found = Bundle.model_validate_json(nurse.get("/fhir/Patient?identifier=SYN-000001").content)
    assert [e.resource.id for e in found.entry] == [str(patient.pk)]


def test_refusals_are_operation_outcomes(client_as, patient, other_facility):
    stranger = PatientFactory(facility=other_facility)
    assert Client().get(f"/fhir/Patient/{patient.pk}").status_code == 401
    assert client_as(Role.ADMINISTRATOR).get(f"/fhir/Patient/{patient.pk}").status_code == 403
    missing = client_as(Role.NURSE).get(f"/fhir/Patient/{stranger.pk}")
    assert missing.status_code == 404
    assert missing.json()["resourceType"] == "OperationOutcome"
    bad = client_as(Role.NURSE).get("/fhir/Patient?name=x")
    assert bad.status_code == 400
    assert bad.json()["issue"][0]["expression"] == ["name"]
    assert client_as(Role.NURSE).get("/fhir/Patient/99999999999999999999999").status_code == 404


def test_capability_statement_is_public(db):
    statement = Client().get("/fhir/metadata").json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert [r["type"] for r in statement["rest"][0]["resource"]] == ["Patient", "EpisodeOfCare"]
