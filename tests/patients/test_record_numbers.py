"""Record numbers are made from the facility's pattern, one per new patient, never twice; a number typed by
hand (one the patient has from a previous system) is kept; a pattern that cannot make safe numbers is refused."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.facilities.models import Facility
from detoxflow.patients import services
from detoxflow.patients.models import Patient, RecordNumberSequence, record_number_pattern_problem
from tests.factories import FacilityFactory, PatientFactory, UserFactory

NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
PERSON = {"given_name": "Sky", "family_name": "Notreal", "date_of_birth": dt.date(1991, 3, 4), "sex": "male"}


@pytest.fixture
def synth(db):
    return FacilityFactory(name="Synthetic Detox Unit", code="synth")


@pytest.fixture
def coordinator(synth):
    return UserFactory(role=Role.INTAKE_COORDINATOR, facility=synth)


def _register(actor, **values):
    return services.register_patient(actor, {**PERSON, **values}, address=None, now=NOW)


def test_new_patients_get_the_next_numbers_of_the_default_pattern(coordinator):
    numbers = [_register(coordinator).mrn for _ in range(3)]
    assert numbers == ["SYNTH-000001", "SYNTH-000002", "SYNTH-000003"]
    event = AuditEvent.objects.filter(action="patient.register").last()
    assert event is not None
    assert event.detail == {"record_number": "generated"}


def test_each_facility_counts_on_its_own(coordinator, other_facility):
    other = UserFactory(role=Role.INTAKE_COORDINATOR, facility=other_facility)
    assert [_register(coordinator).mrn, _register(other).mrn, _register(coordinator).mrn] == [
        "SYNTH-000001",
        "ELSEWHERE-000001",
        "SYNTH-000002",
    ]


def test_a_number_typed_by_hand_is_kept_and_the_sequence_steps_over_it(coordinator):
    assert _register(coordinator).mrn == "SYNTH-000001"
    assert _register(coordinator, mrn="SYNTH-000003").mrn == "SYNTH-000003"
    assert _register(coordinator).mrn == "SYNTH-000002"
    assert _register(coordinator).mrn == "SYNTH-000004"  # not 3: that one is held by hand
    assert _register(coordinator, mrn="LEGACY/77").mrn == "LEGACY/77"


def test_the_first_number_follows_the_patients_already_there(coordinator, synth):
    for n in (1, 2, 3):
        PatientFactory(facility=synth, mrn=f"SYNTH-{n:06d}")
    assert _register(coordinator).mrn == "SYNTH-000004"


def test_a_refused_registration_gives_its_number_back(coordinator):
    with pytest.raises(InvalidInput):
        _register(coordinator, date_of_birth=dt.date(2999, 1, 1))
    _register(coordinator)
    with pytest.raises(InvalidInput, match="future"):
        _register(coordinator, date_of_birth=dt.date(2999, 1, 1))
    assert list(Patient.objects.values_list("mrn", flat=True)) == ["SYNTH-000001"]
    assert RecordNumberSequence.objects.get().last_number == 1


@pytest.mark.parametrize(
    ("pattern", "made"),
    [("{code}{year}-{number:05d}", "SYNTH2026-00001"), ("DF.{number}", "DF.1"), ("{number:08d}", "00000001")],
    ids=["code-year-number", "prefix", "digits-only"],
)
def test_the_facility_sets_its_own_pattern(coordinator, synth, pattern, made):
    services.set_record_number_pattern(coordinator, synth, pattern, address=None, now=NOW)
    synth.refresh_from_db()
    assert synth.record_number_pattern == pattern
    assert _register(coordinator).mrn == made
    event = AuditEvent.objects.get(action="facility.record_number_pattern")
    assert event.detail == {"from": "{code}-{number:06d}", "to": pattern}


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{code}-0001", "needs {number}"),
        ("{site}-{number}", "{site} is not a placeholder"),
        ("{code}-{number:06q}", "Write the placeholders as"),
        ("{code} {number}", "a space is not allowed"),
        ("-{number}", "'-' as the first character"),
        ("{code}|{number}", "'|' is not allowed"),
        ("{code}-{year}-{number:030d}", "longer than the 32 characters"),
    ],
    ids=["no-number", "unknown-placeholder", "bad-format", "space", "leading-dash", "hl7-delimiter", "too-long"],
)
def test_a_pattern_that_cannot_make_safe_distinct_numbers_is_refused(coordinator, synth, pattern, message):
    with pytest.raises(InvalidInput) as refused:
        services.set_record_number_pattern(coordinator, synth, pattern, address=None, now=NOW)
    assert refused.value.field == "record_number_pattern"
    assert message in refused.value.message
    synth.refresh_from_db()
    assert synth.record_number_pattern == "{code}-{number:06d}"


def test_an_unsafe_pattern_already_stored_asks_for_a_number_by_hand(coordinator, synth):
    Facility.objects.filter(pk=synth.pk).update(record_number_pattern="{code} {number}")
    coordinator.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        _register(coordinator)
    assert refused.value.field == "mrn"
    assert "Type the number by hand" in refused.value.message
    assert not Patient.objects.exists()
    assert _register(coordinator, mrn="SYN-1").mrn == "SYN-1"


def test_the_pattern_check_uses_the_facilitys_own_code():
    assert record_number_pattern_problem("{code}-{number:06d}", code="a" * 30, year=2026) is not None
    assert record_number_pattern_problem("{code}-{number:06d}", code="synth", year=2026) is None


def test_the_registration_page_makes_the_number_when_left_empty(client_as, facility):
    response = client_as(Role.INTAKE_COORDINATOR).post(
        "/patients/new/", {**PERSON, "date_of_birth": "1991-03-04", "mrn": ""}
    )
    patient = Patient.objects.get()
    assert response["Location"] == f"/patients/{patient.pk}/"
    assert patient.mrn == f"{facility.code.upper()}-000001"


def test_a_typed_number_already_in_use_is_refused_on_its_field(client_as, facility, patient):
    response = client_as(Role.INTAKE_COORDINATOR).post(
        "/patients/new/", {**PERSON, "date_of_birth": "1991-03-04", "mrn": patient.mrn}
    )
    assert response.status_code == 400
    assert "already" in response.context["form"].errors["mrn"][0]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_different_numbers(synth, coordinator):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections, which only the PostgreSQL run has")
    barrier = threading.Barrier(4)
    made, failures = [], []

    def register():
        try:
            barrier.wait()
            made.append(services.register_patient(coordinator, PERSON, address=None, now=timezone.now()).mrn)
        except Conflict as error:  # pragma: no cover - the failure the lock prevents
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sorted(made) == [f"SYNTH-{n:06d}" for n in range(1, 5)]
