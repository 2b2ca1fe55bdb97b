"""FHIR bulk export: the async protocol, consent per patient and category, disclosures logged, files that validate."""

import dataclasses
import datetime as dt
import json
import tracemalloc
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.operationoutcome import OperationOutcome

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.consent import services as consents
from detoxflow.consent.models import Disclosure
from detoxflow.demo.synthetic import DEMO_RECIPIENT, more_charting, seed
from detoxflow.facilities.models import Unit
from detoxflow.interop.fhir import bulk
from detoxflow.interop.fhir.registry import KINDS
from detoxflow.interop.models import BulkExport
from tests.builders import recorded_episode
from tests.factories import FacilityFactory, PatientFactory, UnitFactory, UserFactory

T0 = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
RECIPIENT = "Synthetic Recovery Clinic"  # the consent recorded_episode() files names this recipient
ASYNC = {"Prefer": "respond-async"}
QUERY = f"recipient={RECIPIENT}&purpose=continuing care"


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    settings.FHIR_EXPORT_ROOT = tmp_path


def start(client: Client, url: str) -> str:
    response = client.get(url, headers=ASYNC)
    assert response.status_code == 202, response.content
    return response["Content-Location"]


def finish(client: Client, status_url: str) -> dict[str, Any]:
    """Run the queued export as the worker would, then read the manifest."""
    assert client.get(status_url).status_code == 202
    bulk.run(BulkExport.objects.get().pk)
    response = client.get(status_url)
    assert response.status_code == 200, response.content
    manifest: dict[str, Any] = response.json()
    return manifest


def lines(client: Client, manifest: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    (entry,) = [o for o in manifest["output"] + manifest["error"] if o["type"] == kind]
    response = client.get(entry["url"])
    assert response["Content-Type"] == "application/fhir+ndjson"
    found = [json.loads(line) for line in response.getvalue().decode().splitlines()]
    assert len(found) == entry["count"]
    return found


def test_export_sends_only_what_each_patients_consent_covers_and_logs_each_disclosure(client_as, staff, patient, beds):
    recorded_episode(staff, patient, beds[0], T0)  # consent: medications and assessments, to RECIPIENT
    other_recipient = recorded_episode(staff, PatientFactory(facility=patient.facility), beds[1], T0)
    consents.revoke(staff[Role.PHYSICIAN], other_recipient.patient.consents.get(), now=T0, address=None)
    consents.record_consent(
        staff[Role.PHYSICIAN],
        other_recipient.patient,
        {
            "recipient": "Another Clinic",
            "categories": ["all"],
            "purpose": "care",
            "starts": T0.date(),
            "signed_copy_reference": "binder 9",
        },
        now=T0,
        address=None,
    )
    no_consent = PatientFactory(facility=patient.facility)
    physician = client_as(Role.PHYSICIAN)

    manifest = finish(physician, start(physician, f"/fhir/$export?{QUERY}"))

    assert RECIPIENT in manifest["extension"]["recipient"]
    subjects = {
        kind: {
            r.get("subject", r.get("patient", {})).get("reference") or f"Patient/{r['id']}"
            for r in lines(physician, manifest, kind)
        }
        for kind in ("Patient", "Observation", "Condition", "MedicationRequest", "MedicationAdministration")
    }
    assert all(found == {f"Patient/{patient.pk}"} for found in subjects.values()), subjects
    # Discharge-summary categories (episode, encounter, aftercare plan) are not in the consent.
    assert {o["type"]: o["count"] for o in manifest["output"]}["EpisodeOfCare"] == 0
    assert {o["type"]: o["count"] for o in manifest["output"]}["CarePlan"] == 0
    (consent_line,) = lines(physician, manifest, "Consent")
    assert consent_line["provision"]["actor"][0]["reference"]["display"] == RECIPIENT
    for kind in KINDS:
        for line in lines(physician, manifest, kind):
            assert get_fhir_model_class(kind).model_validate(line).id == line["id"]
    revoked = other_recipient.patient.consents.order_by("pk").first().pk
    refusals = [
        OperationOutcome.model_validate(r).issue[0].diagnostics for r in lines(physician, manifest, "OperationOutcome")
    ]
    assert sorted(refusals) == sorted(
        [
            f"Patient/{other_recipient.patient_id} not exported: "
            f"Medications: No active consent covers this disclosure: consent {revoked} was revoked on 2026-11-20. "
            f"Assessments: No active consent covers this disclosure: consent {revoked} was revoked on 2026-11-20. "
            f"Discharge summary: No active consent covers this disclosure: "
            f"consent {revoked} does not include discharge summary.",
            f"Patient/{no_consent.pk} not exported: No consent names {RECIPIENT} as a recipient.",
        ]
    )
    disclosed = Disclosure.objects.filter(what__startswith="FHIR bulk export")
    assert sorted(disclosed.values_list("patient_id", "category")) == [
        (patient.pk, "assessments"),
        (patient.pk, "medications"),
    ]
    assert all("42 CFR part 2" in d.notice for d in disclosed)


def test_the_demo_facilitys_export_validates_and_round_trips_line_for_line(db):
    """What the export writes is each resource's document; it must be exactly what its validated model writes."""
    seed(1, patients_per_facility=60, history_days=30, now=timezone.now())
    physician = Client()
    physician.force_login(User.objects.get(username="physician"))

    manifest = finish(physician, start(physician, f"/fhir/$export?recipient={DEMO_RECIPIENT}&purpose=continuing care"))

    counts = {o["type"]: o["count"] for o in manifest["output"]}
    assert all(counts[kind] > 0 for kind in KINDS if kind != "CarePlan"), counts  # the demo writes no aftercare plans
    for kind in KINDS:
        model = get_fhir_model_class(kind)
        for line in lines(physician, manifest, kind):
            assert json.loads(model.model_validate(line).model_dump_json(exclude_none=True)) == line, kind
    assert Disclosure.objects.filter(recipient=DEMO_RECIPIENT).exists()


def test_patient_level_export_carries_one_patient(client_as, staff, patient, beds):
    recorded_episode(staff, patient, beds[0], T0)
    recorded_episode(staff, PatientFactory(facility=patient.facility), beds[1], T0)
    physician = client_as(Role.PHYSICIAN)
    manifest = finish(physician, start(physician, f"/fhir/Patient/{patient.pk}/$export?{QUERY}&_type=Observation"))
    assert [o["type"] for o in manifest["output"]] == ["Observation"]
    (observation,) = lines(physician, manifest, "Observation")
    assert observation["subject"]["reference"] == f"Patient/{patient.pk}"


@pytest.mark.parametrize(
    ("url", "headers", "field"),
    [
        (f"/fhir/$export?{QUERY}", {}, None),
        ("/fhir/$export?purpose=care", ASYNC, "recipient"),
        (f"/fhir/$export?{QUERY}&_type=Observation,Invoice", ASYNC, "_type"),
        (f"/fhir/$export?{QUERY}&_since=2026-01-01", ASYNC, "_since"),
        (f"/fhir/$export?{QUERY}&_outputFormat=text/csv", ASYNC, "_outputFormat"),
    ],
)
def test_a_bad_kick_off_names_the_problem_and_starts_nothing(client_as, url, headers, field):
    response = client_as(Role.PHYSICIAN).get(url, headers=headers)
    assert response.status_code == 400
    assert response.json()["issue"][0].get("expression", [None]) == [field]
    assert not BulkExport.objects.exists()


def test_who_may_export(client_as, staff, facility, patient):
    assert client_as(Role.NURSE).get(f"/fhir/$export?{QUERY}", headers=ASYNC).status_code == 403
    staff[Role.PHYSICIAN].unit = Unit.objects.create(facility=facility, name="West")
    staff[Role.PHYSICIAN].save()
    refused = client_as(Role.PHYSICIAN).get(f"/fhir/$export?{QUERY}", headers=ASYNC)
    assert refused.status_code == 403
    one_patient = client_as(Role.PHYSICIAN).get(f"/fhir/Patient/{patient.pk}/$export?{QUERY}", headers=ASYNC)
    assert one_patient.status_code == 202


def downloaded(client: Client, url: str) -> int:
    """The status of a file download, read to the end: the test client closes the streamed file there."""
    response = client.get(url)
    response.getvalue()
    return response.status_code


def test_a_facility_export_is_read_only_by_its_starter_and_staff_who_may_read_the_whole_facility(
    client, client_as, staff, facility, patient, beds
):
    recorded_episode(staff, patient, beds[0], T0)
    physician = client_as(Role.PHYSICIAN)
    status_url = start(physician, f"/fhir/$export?{QUERY}")
    manifest = finish(physician, status_url)
    file_url = manifest["output"][0]["url"]
    # A counselor bound to a unit is refused a facility export, and so is its status and every file given the URLs.
    counselor = staff[Role.COUNSELOR]
    counselor.unit = beds[0].unit
    counselor.save()
    bound = client_as(Role.COUNSELOR)
    assert bound.get(f"/fhir/$export?{QUERY}", headers=ASYNC).status_code == 403
    for refused in (bound.get(status_url), bound.get(file_url), bound.delete(status_url)):
        assert refused.status_code == 403
        assert refused.json()["issue"][0]["code"] == "forbidden"
    assert AuditEvent.objects.filter(action="fhir.export.outside_scope", outcome="denied").count() == 3
    # The starter, and a manager with no home unit (who could have started it), still read it.
    assert physician.get(status_url).status_code == 200
    assert downloaded(client_as(Role.UNIT_MANAGER), file_url) == 200
    # Another facility's staff do not learn it exists.
    client.force_login(UserFactory(role=Role.PHYSICIAN, facility=FacilityFactory()))
    assert client.get(status_url).status_code == 404
    assert client.get(file_url).status_code == 404


def test_a_patients_export_is_read_by_its_starter_and_by_who_may_read_that_patient(
    client, client_as, staff, facility, patient, beds
):
    recorded_episode(staff, patient, beds[0], T0)
    counselor = staff[Role.COUNSELOR]
    counselor.unit = beds[0].unit
    counselor.save()
    starter = client_as(Role.COUNSELOR)
    status_url = start(starter, f"/fhir/Patient/{patient.pk}/$export?{QUERY}")
    manifest = finish(starter, status_url)
    assert {o["type"]: o["count"] for o in manifest["output"]}["Patient"] == 1
    file_url = manifest["output"][0]["url"]
    assert downloaded(starter, file_url) == 200
    assert downloaded(client_as(Role.PHYSICIAN), file_url) == 200  # no home unit: may read every patient
    # A counselor of another unit may not read this patient, so neither her export.
    client.force_login(UserFactory(role=Role.COUNSELOR, facility=facility, unit=UnitFactory(facility=facility)))
    assert client.get(status_url).status_code == 403
    assert client.get(file_url).status_code == 403


def test_delete_removes_the_files_and_the_status(client_as, staff, patient, beds, tmp_path):
    recorded_episode(staff, patient, beds[0], T0)
    physician = client_as(Role.PHYSICIAN)
    status_url = start(physician, f"/fhir/$export?{QUERY}")
    manifest = finish(physician, status_url)
    assert any(tmp_path.iterdir())
    assert physician.delete(status_url).status_code == 202
    assert not any(tmp_path.iterdir())
    assert physician.get(status_url).status_code == 404
    assert physician.get(manifest["output"][0]["url"]).status_code == 404


def test_a_failed_export_says_why_and_leaves_no_files(client_as, staff, patient, beds, tmp_path, monkeypatch):
    recorded_episode(staff, patient, beds[0], T0)

    def broken(row):
        raise ValueError("synthetic failure")

    monkeypatch.setitem(KINDS, "Observation", dataclasses.replace(KINDS["Observation"], document=broken))
    physician = client_as(Role.PHYSICIAN)
    status_url = start(physician, f"/fhir/$export?{QUERY}")
    bulk.run(BulkExport.objects.get().pk)
    failed = physician.get(status_url)
    assert failed.status_code == 500
    assert "synthetic failure" in failed.json()["issue"][0]["diagnostics"]
    assert not any(tmp_path.iterdir())
    assert not Disclosure.objects.exists()


def test_another_facility_cannot_see_the_export(client_as, staff, patient, other_facility):
    physician = client_as(Role.PHYSICIAN)
    status_url = start(physician, f"/fhir/$export?{QUERY}")
    staff[Role.PHYSICIAN].facility = other_facility
    staff[Role.PHYSICIAN].save()
    assert client_as(Role.PHYSICIAN).get(status_url).status_code == 404


def _export_peak(client: Client) -> tuple[int, int]:
    """(resources written, peak bytes Python allocated while the facility's export ran)."""
    status_url = start(client, f"/fhir/$export?recipient={DEMO_RECIPIENT}&purpose=continuing care")
    export = BulkExport.objects.get(status="queued")
    tracemalloc.start()
    try:
        bulk.run(export.pk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert client.get(status_url).status_code == 200
    return BulkExport.objects.get(pk=export.pk).written, peak


def test_memory_stays_flat_as_a_generated_facilitys_export_grows(db, settings):
    settings.FHIR_EXPORT_CHUNK = 100
    seed(1, patients_per_facility=30, history_days=10, now=timezone.now())
    physician = User.objects.get(username="physician")
    client = Client()
    client.force_login(physician)
    first, _ = _export_peak(client)  # first use builds pydantic validators and caches; not the export's cost
    more_charting(physician.facility, 200 - first)
    small, small_peak = _export_peak(client)
    more_charting(physician.facility, 800)
    large, large_peak = _export_peak(client)
    assert (small, large) == (200, 1000)
    # Five times the resources; a design that held them (or their JSON) would need about five times the memory.
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)
