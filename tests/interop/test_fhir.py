"""FHIR R4 read and search: resources validate with fhir.resources, carry Part 2 labels, and refuse properly."""

import datetime as dt
import json

from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient

from detoxflow.accounts.permissions import Action, Role
from detoxflow.assessments import services as assessments
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.scales import COWS
from detoxflow.episodes import services as episode_services
from detoxflow.facilities.models import Unit
from detoxflow.intake.models import IntakeAssessment
from detoxflow.interop.fhir.registry import KINDS
from tests.builders import recorded_episode, stabilized_episode
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
    assert len(bundle.entry) == 1
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
    assert [r["type"] for r in statement["rest"][0]["resource"]] == list(KINDS)


T0 = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
MODELS = {
    "Patient": Patient,
    "EpisodeOfCare": EpisodeOfCare,
    "Encounter": Encounter,
    "Condition": Condition,
    "Observation": Observation,
    "MedicationRequest": MedicationRequest,
    "MedicationAdministration": MedicationAdministration,
    "CarePlan": CarePlan,
    "Consent": FhirConsent,
}


def test_every_resource_of_a_recorded_episode_validates_round_trips_and_is_labelled(client_as, staff, patient, beds):
    recorded_episode(staff, patient, beds[0], T0)
    nurse = client_as(Role.NURSE)
    seen = {}
    for kind, model in MODELS.items():
        query = "identifier=SYN-000001" if kind == "Patient" else f"patient=Patient/{patient.pk}"
        bundle = Bundle.model_validate_json(nurse.get(f"/fhir/{kind}?{query}").content)
        assert len(bundle.entry) == 1, kind
        read = nurse.get(f"/fhir/{kind}/{bundle.entry[0].resource.id}")
        resource = model.model_validate_json(read.content)
        assert model.model_validate_json(resource.model_dump_json()) == resource
        assert {c.code for c in resource.meta.security} == {"42CFRPart2", "OPIOIDUD", "R"}, kind
        seen[kind] = resource
    assert AuditEvent.objects.filter(action="fhir.read", patient_id=patient.pk).count() == len(MODELS)

    condition = seen["Condition"]
    assert (condition.code.coding[0].code, condition.severity.coding[0].code) == ("F11.20", "24484000")
    assert len(condition.evidence) == 4
    encounter = seen["Encounter"]
    assert (encounter.class_fhir.code, encounter.status) == ("IMP", "in-progress")
    assert encounter.location[0].location.display == str(beds[0])
    order = seen["MedicationRequest"]
    assert (order.status, order.medicationCodeableConcept.coding[0].code) == ("active", "ondansetron")
    assert float(order.dosageInstruction[0].doseAndRate[0].doseQuantity.value) == 4
    assert order.dosageInstruction[0].timing.repeat.period == 480
    dose = seen["MedicationAdministration"]
    assert (dose.status, dose.request.reference) == ("completed", f"MedicationRequest/{order.id}")
    plan = seen["CarePlan"]
    assert plan.activity[0].detail.status == "scheduled"
    assert "Tuesday evening meeting" in plan.activity[0].detail.description
    consent = seen["Consent"]
    assert (consent.status, consent.provision.actor[0].reference.display) == ("active", "Synthetic Recovery Clinic")
    assert [c.text for c in consent.provision.code] == ["Assessments", "Medications"]


def test_every_kinds_document_is_exactly_what_its_validated_model_writes(staff, patient, beds):
    """Bulk export writes the document it validated; that is only the same resource if the model writes it too."""
    recorded_episode(staff, patient, beds[0], T0)
    IntakeAssessment.objects.update(oud_icd10="")  # a diagnosis without its code must not leave an empty coding
    for kind in KINDS.values():
        rows = list(kind.scoped(staff[Role.PHYSICIAN], Action.VIEW_PATIENT))
        assert rows, kind.name
        for row in rows:
            written = json.loads(json.dumps(kind.document(row)))
            assert written == json.loads(kind.build(row).model_dump_json(exclude_none=True)), kind.name


def test_observation_carries_total_items_and_vitals_with_their_codes(client_as, staff, patient, beds):
    episode = stabilized_episode(staff[Role.PHYSICIAN], patient, beds[0], T0)
    answers = {item.key: 0 for item in COWS.items} | {"pulse": 2, "yawning": 1}
    vitals = {"heart_rate": 104, "systolic_bp": 130, "diastolic_bp": 80}
    saved = assessments.record_assessment(
        staff[Role.NURSE], episode, "COWS", answers, vitals, now=T0 + dt.timedelta(hours=1), address=None
    )
    nurse = client_as(Role.NURSE)
    resource = Observation.model_validate_json(nurse.get(f"/fhir/Observation/{saved.pk}").content)
    assert (resource.valueInteger, resource.code.coding[0].code) == (3, "detoxflow-cows-total")
    # 72514-3 is a pain score; COWS has no LOINC code, so none may appear.
    assert "72514-3" not in resource.model_dump_json()
    codes = {c.code.coding[0].code: c for c in resource.component}
    assert codes["detoxflow-cows-total-pulse"].valueInteger == 2
    assert float(codes["8867-4"].valueQuantity.value) == 104
    assert codes["8480-6"].valueQuantity.code == "mm[Hg]"


def test_search_pages_with_count_and_a_next_link(client_as, facility):
    for n in range(5):
        PatientFactory(facility=facility, mrn=f"SYN-PAGE-{n}")
    nurse = client_as(Role.NURSE)
    first = Bundle.model_validate_json(nurse.get("/fhir/Patient?_count=2").content)
    assert len(first.entry) == 2
    following = next(link.url for link in first.link if link.relation == "next")
    second = Bundle.model_validate_json(nurse.get(following).content)
    assert {e.resource.id for e in first.entry}.isdisjoint({e.resource.id for e in second.entry})
    bad = nurse.get("/fhir/Patient?_count=1000")
    assert (bad.status_code, bad.json()["issue"][0]["expression"]) == (400, ["_count"])
    assert nurse.get("/fhir/Observation?patient=Patient/abc").json()["issue"][0]["expression"] == ["patient"]


def test_unit_bound_staff_read_only_their_units_patients_over_fhir(client_as, staff, patient, beds, facility):
    recorded_episode(staff, patient, beds[0], T0)
    nurse = staff[Role.NURSE]
    nurse.unit = Unit.objects.create(facility=facility, name="Other unit")
    nurse.save()
    client = client_as(Role.NURSE)
    refused = client.get(f"/fhir/Observation?patient=Patient/{patient.pk}")
    assert refused.status_code == 403
    assert "another unit" in refused.json()["issue"][0]["diagnostics"]
    assert client.get("/fhir/Observation").status_code == 403
    assert client.get(f"/fhir/Patient/{patient.pk}").status_code == 403
