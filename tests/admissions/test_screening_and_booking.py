"""Intake queue, phone-screen triage, bed board and bed booking."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.admissions import services
from detoxflow.admissions.models import CallbackRequest, PhoneScreen
from detoxflow.clinical.stages import DischargeType, Stage
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.facilities.models import Housekeeping
from detoxflow.facilities.queries import BedState, bed_board
from detoxflow.patients.models import Patient

NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
SCREEN = {
    "caller_name": "Sky",
    "caller_relationship": "self",
    "substances": ["heroin"],
    "hours_since_last_use": "10",
    "route": "injection",
    "daily_amount": "1 g",
    "prior_detox_count": "1",
    "pregnancy": "not_applicable",
    "has_housing": "True",
    "has_home_support": "True",
    "wants_treatment": "True",
}
NEW_PATIENT = {
    "mrn": "SYN-77",
    "given_name": "Sky",
    "family_name": "Notreal",
    "date_of_birth": dt.date(1991, 3, 4),
    "sex": "male",
    "pregnancy_capable": False,
    "phone": "555-0123",
}


@pytest.fixture
def intake(client_as):
    return client_as(Role.INTAKE_COORDINATOR)


@pytest.fixture
def callback(facility):
    return CallbackRequest.objects.create(facility=facility, name="Sky", phone="555-0123", received_at=NOW)


def test_queue_shows_waiting_requests_and_records_no_answer(intake, callback):
    assert "555-0123" in intake.get("/intake-queue/").content.decode()
    intake.post(f"/intake-queue/{callback.pk}/attempt/", {"status": "no_answer"})
    callback.refresh_from_db()
    assert (callback.status, callback.attempts) == ("no_answer", 1)


def test_a_screen_with_a_free_bed_admits_and_closes_the_call_back(intake, callback, beds):
    response = intake.post("/phone-screens/new/", {**SCREEN, "callback": callback.pk})
    screen = PhoneScreen.objects.get()
    assert response["Location"] == f"/phone-screens/{screen.pk}/"
    assert (screen.decision, screen.rule_ids, screen.free_beds_at_screen) == ("admit", ["T5-admit"], 4)
    callback.refresh_from_db()
    assert callback.status == "screened"
    page = intake.get(response["Location"]).content.decode()
    assert "Book a bed" in page


def test_emergency_is_shown_prominently_with_its_reasons(intake, beds):
    intake.post("/phone-screens/new/", {**SCREEN, "chest_pain": "on"})
    screen = PhoneScreen.objects.get()
    page = intake.get(f"/phone-screens/{screen.pk}/").content.decode()
    assert screen.decision == "emergency"
    assert 'class="emergency" role="alert"' in page
    assert "Emergency sign: chest pain" in page
    assert "Book a bed" not in page


def test_no_free_bed_puts_the_caller_on_the_waitlist(intake, beds):
    for bed in beds:
        bed.housekeeping = Housekeeping.CLEANING
        bed.save()
    intake.post("/phone-screens/new/", SCREEN)
    assert PhoneScreen.objects.get().decision == "waitlist"


def test_screen_form_names_a_missing_substance(intake):
    response = intake.post("/phone-screens/new/", {**SCREEN, "substances": []})
    assert response.status_code == 400
    assert "Tick at least one substance" in response.context["form"].errors["substances"][0]
    assert not PhoneScreen.objects.exists()


def test_booking_registers_the_patient_and_holds_the_bed(staff, beds):
    screen = services.record_phone_screen(
        staff[Role.INTAKE_COORDINATOR],
        {
            **SCREEN,
            "substances": ["heroin"],
            "hours_since_last_use": 10,
            "prior_detox_count": 1,
            "has_housing": True,
            "has_home_support": True,
            "wants_treatment": True,
        },
        now=NOW,
        address=None,
    )
    episode = services.book_admission(
        staff[Role.INTAKE_COORDINATOR],
        patient=None,
        new_patient=NEW_PATIENT,
        bed=beds[0],
        expected_arrival=NOW + dt.timedelta(days=1),
        reason="after screen",
        screen=screen,
        now=NOW,
        address=None,
    )
    assert (episode.stage, episode.bed_id, episode.expected_arrival) == (
        "pre_admission",
        beds[0].pk,
        NOW + dt.timedelta(days=1),
    )
    screen.refresh_from_db()
    assert screen.episode_id == episode.pk
    board = bed_board(staff[Role.INTAKE_COORDINATOR])[0]
    assert [b.state for b in board.beds] == [BedState.RESERVED, BedState.FREE, BedState.FREE, BedState.FREE]


def test_a_failed_booking_leaves_no_half_registered_patient(staff, beds, facility):
    coordinator = staff[Role.INTAKE_COORDINATOR]
    services.book_admission(
        coordinator,
        patient=None,
        new_patient=NEW_PATIENT,
        bed=beds[0],
        expected_arrival=NOW,
        reason="first",
        now=NOW,
        address=None,
    )
    with pytest.raises(Conflict):
        services.book_admission(
            coordinator,
            patient=None,
            new_patient={**NEW_PATIENT, "mrn": "SYN-78"},
            bed=beds[0],
            expected_arrival=NOW,
            reason="second",
            now=NOW,
            address=None,
        )
    assert not Patient.objects.filter(mrn="SYN-78").exists()


def test_booking_form_names_missing_new_patient_fields(intake, beds):
    response = intake.post(
        "/admissions/book/", {"given_name": "Sky", "bed": beds[0].pk, "expected_arrival": "2026-11-26T09:00"}
    )
    assert response.status_code == 400
    # The record number is not among them: it is made from the facility's pattern.
    assert set(response.context["form"].errors) == {"family_name", "date_of_birth", "sex"}


def test_a_bed_is_cleaned_after_a_stay_and_set_ready_from_the_board(staff, beds, patient, client_as):
    physician = staff[Role.PHYSICIAN]
    episode = episode_services.open_episode(physician, patient, reason="x", now=NOW, address=None)
    episode_services.assign_bed(physician, episode, beds[0], address=None)
    episode_services.change_stage(physician, episode.pk, Stage.EVALUATION, reason="here", now=NOW, address=None)
    episode_services.change_stage(
        physician,
        episode.pk,
        Stage.DISCHARGED,
        reason="left",
        now=NOW,
        address=None,
        discharge_type=DischargeType.AGAINST_MEDICAL_ADVICE,
    )
    beds[0].refresh_from_db()
    assert beds[0].housekeeping == Housekeeping.CLEANING
    other = episode_services.open_episode(
        physician,
        Patient.objects.create(
            facility=patient.facility,
            mrn="SYN-9",
            given_name="A",
            family_name="B",
            date_of_birth="1990-01-01",
            sex="male",
        ),
        reason="next",
        now=NOW,
        address=None,
    )
    with pytest.raises(InvalidInput, match="not ready"):
        episode_services.assign_bed(physician, other, beds[0], address=None)
    client_as(Role.NURSE).post(f"/beds/{beds[0].pk}/housekeeping/", {"housekeeping": "ready"})
    beds[0].refresh_from_db()
    assert beds[0].housekeeping == Housekeeping.READY


def test_bed_board_page_shows_states_and_counts(client_as, staff, beds, patient):
    episode_services.open_episode(staff[Role.PHYSICIAN], patient, reason="x", now=NOW, address=None)
    page = client_as(Role.NURSE).get("/beds/").content.decode()
    assert "4 free · 0 reserved" in page


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_booking_the_last_bed_at_once_make_one_booking(staff, beds):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections, which only the PostgreSQL run has")
    coordinator = staff[Role.INTAKE_COORDINATOR]
    barrier = threading.Barrier(2)
    outcomes = []

    def book(mrn):
        try:
            barrier.wait()
            services.book_admission(
                coordinator,
                patient=None,
                new_patient={**NEW_PATIENT, "mrn": mrn},
                bed=beds[-1],
                expected_arrival=timezone.now(),
                reason="call",
                now=timezone.now(),
                address=None,
            )
            outcomes.append("booked")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(mrn,)) for mrn in ("SYN-A", "SYN-B")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert Episode.objects.filter(bed=beds[-1], discharged_at__isnull=True).count() == 1
    assert Patient.objects.filter(mrn__in=["SYN-A", "SYN-B"]).count() == 1
