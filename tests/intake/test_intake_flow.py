"""Intake as a nurse meets it: only after arrival, started from the phone screen, in sections, with the care team."""

import datetime as dt

import pytest
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.admissions.models import PhoneScreen
from detoxflow.clinical.stages import Stage
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.intake import services
from detoxflow.intake.forms import SECTIONS, IntakeForm
from detoxflow.intake.models import IntakeAssessment
from tests.factories import UserFactory
from tests.intake.test_intake import FORM

SCREENED_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def booked(staff, patient, beds):
    """A bed booked after a phone screen: heroin and benzodiazepines, 8 h since last use, injected, not pregnant."""
    coordinator = staff[Role.INTAKE_COORDINATOR]
    episode = episode_services.open_episode(
        coordinator, patient, reason="Bed booked after phone screen", now=SCREENED_AT, address=None
    )
    episode_services.assign_bed(coordinator, episode, beds[0], address=None)
    PhoneScreen.objects.create(
        facility=patient.facility,
        patient=patient,
        episode=episode,
        caller_name="Alex",
        caller_relationship="self",
        substances=["heroin", "benzodiazepines"],
        hours_since_last_use=8,
        route="injection",
        pregnancy="not_applicable",
        prior_complicated_withdrawal=True,
        decision="admit",
        free_beds_at_screen=3,
        screened_at=SCREENED_AT,
        screened_by=coordinator,
        screened_by_name="Ines Intake",
    )
    return episode


@pytest.fixture
def arrived(staff, booked, beds):
    return episode_services.record_arrival(
        staff[Role.NURSE], booked.pk, bed=beds[0], arrived_at=timezone.now(), now=timezone.now(), address=None
    )


@pytest.fixture
def nurse(client_as):
    return client_as(Role.NURSE)


# Arrival first.


def test_before_arrival_the_intake_page_offers_arrival_not_the_assessment(nurse, booked):
    page = nurse.get(f"/episodes/{booked.pk}/intake/").content.decode()
    assert "The patient has not arrived yet" in page
    assert f"/episodes/{booked.pk}/arrival/" in page
    assert "Start the intake assessment" not in page


def test_before_arrival_the_assessment_form_is_refused_before_it_is_filled(nurse, booked):
    response = nurse.get(f"/episodes/{booked.pk}/intake/assessment/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "The patient has not arrived yet: record the arrival" in page
    assert 'id="intake-form"' not in page
    assert f"/episodes/{booked.pk}/arrival/" in page
    posted = nurse.post(f"/episodes/{booked.pk}/intake/assessment/", FORM)
    assert posted.status_code == 409
    assert not IntakeAssessment.objects.exists()


def test_the_service_refuses_intake_in_pre_admission_with_a_409(booked):
    with pytest.raises(InvalidInput, match="has not arrived yet") as refused:
        services.check_intake_open(booked)
    assert refused.value.status_code == 409


def test_after_arrival_the_assessment_is_offered(nurse, arrived):
    page = nurse.get(f"/episodes/{arrived.pk}/intake/").content.decode()
    assert "Start the intake assessment" in page
    assert nurse.get(f"/episodes/{arrived.pk}/intake/assessment/").status_code == 200


# Carried forward from the phone screen.


def test_the_phone_screen_answers_start_the_intake(nurse, arrived):
    response = nurse.get(f"/episodes/{arrived.pk}/intake/assessment/")
    form = response.context["form"]
    last_use = timezone.localtime(SCREENED_AT - dt.timedelta(hours=8)).replace(tzinfo=None)
    assert form["use_heroin"].value() is True
    assert form["use_benzodiazepines"].value() is True
    assert not form["use_fentanyl"].value()
    # Last use and route are asked about the main opioid, so they go on heroin, not on the benzodiazepines.
    assert form["last_use_heroin"].value() == last_use
    assert form["route_heroin"].value() == "injection"
    assert form["last_use_benzodiazepines"].value() is None
    assert form["pregnancy"].value() == "not_applicable"
    assert form["prior_complicated_withdrawal"].value() is True
    assert form.prefilled == {
        "use_heroin",
        "use_benzodiazepines",
        "last_use_heroin",
        "route_heroin",
        "pregnancy",
        "prior_complicated_withdrawal",
    }
    page = response.content.decode()
    assert "Started from the phone screen of" in page
    assert page.count("from the phone screen</small>") == 6
    assert last_use.strftime("%Y-%m-%dT%H:%M") in page


def test_a_prefilled_answer_is_editable_and_saved_as_changed(nurse, arrived):
    response = nurse.post(
        f"/episodes/{arrived.pk}/intake/assessment/",
        {**FORM, "use_heroin": "on", "route_heroin": "smoking", "last_use_heroin": "2026-11-20T05:30"},
    )
    assert response.status_code == 302
    saved = IntakeAssessment.objects.get(episode=arrived).substance_use
    assert saved["heroin"]["route"] == "smoking"
    assert saved["heroin"]["last_use"].startswith("2026-11-20T05:30")


def test_a_recorded_assessment_is_edited_from_itself_not_the_phone_screen(nurse, arrived):
    nurse.post(f"/episodes/{arrived.pk}/intake/assessment/", {**FORM, "route_heroin": "smoking"})
    form = nurse.get(f"/episodes/{arrived.pk}/intake/assessment/").context["form"]
    assert form.prefilled == set()
    assert form["route_heroin"].value() == "smoking"
    assert form["last_use_heroin"].value().strftime("%Y-%m-%dT%H:%M") == timezone.localtime(
        dt.datetime(2026, 11, 20, 2, 0, tzinfo=timezone.get_current_timezone())
    ).strftime("%Y-%m-%dT%H:%M")


def test_an_emergency_screen_with_unanswered_questions_prefills_only_what_was_said(nurse, arrived):
    PhoneScreen.objects.filter(episode=arrived).update(
        substances=[], hours_since_last_use=None, route="", pregnancy="", prior_complicated_withdrawal=False
    )
    form = nurse.get(f"/episodes/{arrived.pk}/intake/assessment/").context["form"]
    assert form.prefilled == set()
    assert form["pregnancy"].value() in (None, "")


def test_a_route_without_its_substance_is_refused_on_the_substance(staff, arrived):
    form = IntakeForm({**FORM, "route_alcohol": "oral"})
    assert not form.is_valid()
    assert "A route is given; tick Alcohol too." in form.errors["use_alcohol"]


# Sections.


def test_the_sections_run_in_the_order_a_nurse_asks(nurse, arrived):
    page = nurse.get(f"/episodes/{arrived.pk}/intake/assessment/").content.decode()
    titles = [s.title for s in SECTIONS]
    assert titles == [
        "Substances and last use",
        "Medical",
        "Psychiatric",
        "Social situation and wishes",
        "Vital signs",
        "Urine drug screen",
        "DSM-5 criteria",
    ]
    positions = [page.index(f"<legend>{n}. {t}</legend>") for n, t in enumerate(titles, 1)]
    assert positions == sorted(positions)
    # Every field of the form is in exactly one section.
    form = IntakeForm()
    placed = [name for s in SECTIONS for name in s.fields]
    assert sorted(placed) == sorted(form.fields)


def test_the_section_list_says_what_is_complete(nurse, arrived):
    sections = {s.key: s for s in nurse.get(f"/episodes/{arrived.pk}/intake/assessment/").context["sections"]}
    # The phone screen answered the substances and the pregnancy question.
    assert sections["substances"].complete
    assert sections["medical"].status == "complete"
    assert sections["psychiatric"].status == "1 to answer"
    assert sections["vitals"].status == "6 to answer"
    assert sections["uds"].complete  # "not tested" is the answer until the cup comes back
    assert sections["dsm5"].status == "none ticked yet"


def test_a_missing_answer_names_its_field_and_section(nurse, arrived):
    answers = {k: v for k, v in FORM.items() if k not in ("pregnancy", "heart_rate")}
    response = nurse.post(f"/episodes/{arrived.pk}/intake/assessment/", answers)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Medical — Pregnancy: This field is required." in page
    assert "Vital signs — Heart rate: This field is required." in page
    assert 'href="#id_pregnancy"' in page
    sections = {s.key: s for s in response.context["sections"]}
    assert sections["medical"].status == "needs attention (1)"
    assert sections["substances"].complete
    assert not IntakeAssessment.objects.exists()


def test_no_substance_ticked_is_named_under_substances(nurse, arrived):
    answers = {k: v for k, v in FORM.items() if not k.startswith(("use_", "last_use_"))}
    response = nurse.post(f"/episodes/{arrived.pk}/intake/assessment/", answers)
    assert "Substances and last use — Tick at least one substance the patient uses." in response.content.decode()


def test_checkboxes_sit_beside_their_labels(nurse, arrived):
    page = nurse.get(f"/episodes/{arrived.pk}/intake/assessment/").content.decode()
    assert '<p class="check"><input type="checkbox" name="home_support"' in page


# The care team.


def test_intake_asks_for_the_care_team_and_the_patient_page_shows_it(client_as, staff, arrived, facility):
    nurse = client_as(Role.NURSE)
    page = nurse.get(f"/episodes/{arrived.pk}/intake/").content.decode()
    assert "Not assigned yet:</strong> Attending physician, Primary nurse, Counselor" in page
    response = nurse.post(
        f"/episodes/{arrived.pk}/intake/care-team/",
        {"physician": staff[Role.PHYSICIAN].pk, "nurse": staff[Role.NURSE].pk, "counselor": staff[Role.COUNSELOR].pk},
    )
    assert response["Location"] == f"/episodes/{arrived.pk}/intake/"
    team = set(Episode.objects.get(pk=arrived.pk).care_team.all())
    assert team == {staff[Role.PHYSICIAN], staff[Role.NURSE], staff[Role.COUNSELOR]}
    assert "Not assigned yet" not in nurse.get(f"/episodes/{arrived.pk}/intake/").content.decode()
    patient_page = nurse.get(f"/patients/{arrived.patient_id}/").content.decode()
    assert f"{staff[Role.PHYSICIAN].display_name} · Physician" in patient_page
    assert f"{staff[Role.COUNSELOR].display_name} · Counselor" in patient_page


def test_an_unchanged_role_keeps_a_second_member(client_as, staff, arrived, facility):
    second = UserFactory(username="nell", role=Role.NURSE, facility=facility, last_name="Zed")
    episode_services.assign_care_team(staff[Role.NURSE], arrived, [staff[Role.NURSE], second], address=None)
    client_as(Role.NURSE).post(
        f"/episodes/{arrived.pk}/intake/care-team/",
        {"physician": staff[Role.PHYSICIAN].pk, "nurse": staff[Role.NURSE].pk},
    )
    team = set(Episode.objects.get(pk=arrived.pk).care_team.all())
    assert team == {staff[Role.PHYSICIAN], staff[Role.NURSE], second}


def test_the_care_team_prompt_refuses_someone_in_another_role(client_as, staff, arrived):
    response = client_as(Role.NURSE).post(
        f"/episodes/{arrived.pk}/intake/care-team/", {"physician": staff[Role.COUNSELOR].pk}
    )
    assert response.status_code == 400
    assert "not a physician at this facility" in response.content.decode()
    assert not Episode.objects.get(pk=arrived.pk).care_team.exists()


def test_the_patient_page_says_when_no_care_team_is_assigned(client_as, booked):
    page = client_as(Role.NURSE).get(f"/patients/{booked.patient_id}/").content.decode()
    assert "Not assigned yet" in page
    assert Episode.objects.get(pk=booked.pk).stage == Stage.PRE_ADMISSION
