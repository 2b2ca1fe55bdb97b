"""A booked patient arrives and the nurse does the intake: what the caller told the phone screen is already there."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.admissions.models import PhoneScreen
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.intake.models import IntakeAssessment
from tests.browser.conftest import ARTIFACTS, INTAKE_VITALS, PHONE, SIX_DSM5_CRITERIA, sideways_overflow, sign_in
from tests.factories import BedFactory, FacilityFactory, PatientFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def booking():
    """Bed N01 booked for Sky after a phone screen an hour ago: heroin, injected, 8 h since last use."""
    facility = FacilityFactory(name="Synthetic Detox Unit", code="synth")
    unit = UnitFactory(facility=facility, name="North")
    beds = [BedFactory(unit=unit, label=f"N{n:02d}") for n in range(1, 4)]
    coordinator = UserFactory(
        username="ines", first_name="Ines", last_name="Intake", role=Role.INTAKE_COORDINATOR, facility=facility
    )
    UserFactory(username="nora", first_name="Nora", last_name="Nurse", role=Role.NURSE, facility=facility)
    UserFactory(username="phil", first_name="Phil", last_name="Physician", role=Role.PHYSICIAN, facility=facility)
    UserFactory(username="cora", first_name="Cora", last_name="Counselor", role=Role.COUNSELOR, facility=facility)
    patient = PatientFactory(facility=facility, given_name="Sky", family_name="Notreal", mrn="SYN-000123")
    screened_at = timezone.now() - dt.timedelta(hours=1)
    episode = episode_services.open_episode(
        coordinator, patient, reason="Bed booked after phone screen", now=screened_at, address=None
    )
    episode.expected_arrival = timezone.now()
    episode.save(update_fields=["expected_arrival"])
    episode_services.assign_bed(coordinator, episode, beds[0], address=None)
    PhoneScreen.objects.create(
        facility=facility,
        patient=patient,
        episode=episode,
        caller_name="Sky",
        phone="555-0123",
        caller_relationship="self",
        substances=["heroin"],
        hours_since_last_use=8,
        route="injection",
        pregnancy="not_applicable",
        decision="admit",
        free_beds_at_screen=3,
        screened_at=screened_at,
        screened_by=coordinator,
        screened_by_name="Ines Intake",
    )
    return episode, screened_at


def test_arrival_then_intake_started_from_the_phone_screen(page, live_server, booking, axe):
    episode, screened_at = booking
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, base, "nora")
    page.goto(f"{base}/patients/{episode.patient_id}/")

    # Before arrival the intake page offers the arrival, not the assessment.
    page.get_by_role("link", name="Intake", exact=True).click()
    expect(page.locator("#not-arrived")).to_contain_text("The patient has not arrived yet")
    expect(page.get_by_role("link", name="Start the intake assessment")).to_have_count(0)
    page.goto(f"{base}/episodes/{episode.pk}/intake/assessment/")
    expect(page.locator("#intake-refused")).to_contain_text("record the arrival")
    expect(page.locator("#intake-form")).to_have_count(0)

    # Patient arrived: the booked bed is chosen, the time is now; the nurse puts Sky in N02 instead.
    page.get_by_role("link", name="Patient arrived").click()
    expect(page.get_by_label("Bed")).to_have_value(str(episode.bed_id))
    expect(page.get_by_label("Bed").locator("option:checked")).to_have_text("North N01 (booked)")
    expect(page.get_by_label("Arrival time")).not_to_have_value("")
    axe.check(page)
    page.get_by_label("Bed").select_option(label="North N02")
    page.get_by_role("button", name="Record the arrival").click()
    expect(page.locator(".stage").first).to_have_text("Evaluation & intake")
    expect(page.get_by_role("link", name="Patient arrived")).to_have_count(0)
    page.get_by_role("link", name="Intake", exact=True).click()

    # The care team is asked for at intake.
    expect(page.locator("#care-team-missing")).to_contain_text("Attending physician, Primary nurse, Counselor")
    page.get_by_label("Attending physician").select_option(label="Phil Physician")
    page.get_by_label("Primary nurse").select_option(label="Nora Nurse")
    page.get_by_label("Counselor").select_option(label="Cora Counselor")
    page.get_by_role("button", name="Save the care team").click()
    expect(page.locator("#care-team-missing")).to_have_count(0)
    axe.check(page)

    # The assessment starts from what the caller said, marked as such and editable.
    page.get_by_role("link", name="Start the intake assessment").click()
    expect(page.locator("#prefill-note")).to_contain_text("Started from the phone screen")
    expect(page.get_by_label("Heroin", exact=True)).to_be_checked()
    last_use = timezone.localtime(screened_at - dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")
    expect(page.get_by_label("Heroin: last use")).to_have_value(last_use)
    expect(page.get_by_label("Heroin: route")).to_have_value("injection")
    expect(page.get_by_label("Pregnancy")).to_have_value("not_applicable")
    expect(page.locator(".prefilled").first).to_be_visible()
    sections = page.get_by_role("navigation", name="Intake sections")
    expect(sections.locator("li")).to_have_text(
        [
            "Substances and last use · complete",
            "Medical · complete",
            "Psychiatric · 1 to answer",
            "Social situation and wishes · 1 to answer",
            "Vital signs · 6 to answer",
            "Urine drug screen · complete",
            "DSM-5 criteria · none ticked yet",
        ]
    )
    axe.check(page)
    page.screenshot(path=str(ARTIFACTS / "intake-sections.png"), full_page=True)

    # Keyboard: the checkbox beside its label, and Tab runs along the substance row.
    page.get_by_label("Heroin", exact=True).focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Heroin: last use")).to_be_focused()
    # Chromium tabs through a date-time input's own parts (day, month, year, hours, minutes) before leaving it.
    for _ in range(8):
        if page.evaluate("document.activeElement.id") != "id_last_use_heroin":
            break
        page.keyboard.press("Tab")
    expect(page.get_by_label("Heroin: route")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Fentanyl or analogues", exact=True)).to_be_focused()
    box = page.get_by_label("Home support").bounding_box()
    label = page.locator("label[for=id_home_support]").bounding_box()
    assert box is not None
    assert label is not None
    assert abs(box["y"] - label["y"]) < 12, "the checkbox is on its label's line, not above or under it"
    assert label["x"] > box["x"]

    # The nurse changes the route the caller gave, and answers the rest; the section list follows.
    page.get_by_label("Heroin: route").select_option("smoking")
    page.get_by_label("Suicide risk").select_option("none")
    expect(sections.locator("li").nth(2)).to_have_text("Psychiatric · complete")
    page.get_by_label("Housing").select_option("stable")
    # SpO2 (the last vital) is left out: the summary names it and its section.
    for label_text, value in INTAKE_VITALS[:-1]:
        page.get_by_label(label_text, exact=True).fill(value)
    for criterion in SIX_DSM5_CRITERIA:
        page.get_by_label(criterion).check()
    expect(sections.locator("li").nth(6)).to_have_text("DSM-5 criteria · 6 of 11 ticked")
    page.get_by_role("button", name="Save and see the recommendation").click()
    expect(page.locator("#intake-errors")).to_contain_text("Vital signs — SpO2 (%): This field is required.")
    expect(sections.locator("li").nth(4)).to_have_text("Vital signs · needs attention (1)")
    expect(page.get_by_label("Heroin: route")).to_have_value("smoking")  # nothing typed is lost
    axe.check(page)
    page.get_by_role("link", name="Vital signs — SpO2 (%): This field is required.").click()
    expect(page.get_by_label("SpO2 (%)")).to_be_focused()
    page.keyboard.type("97")
    page.get_by_role("button", name="Save and see the recommendation").click()
    expect(page.locator("#oud-severity")).to_have_text("Severe")

    saved = IntakeAssessment.objects.get(episode_id=episode.pk)
    assert saved.substance_use["heroin"]["route"] == "smoking"
    assert saved.substance_use["heroin"]["last_use"] is not None
    assert saved.pregnancy == "not_applicable"
    arrived = Episode.objects.get(pk=episode.pk)
    assert (arrived.stage, arrived.bed.label) == ("evaluation", "N02")

    # The patient page shows the care team, and the timeline says who in words.
    page.goto(f"{base}/patients/{episode.patient_id}/")
    team = page.get_by_role("list", name="Care team")
    expect(team).to_contain_text("Phil Physician · Physician")
    expect(team).to_contain_text("Nora Nurse · Nurse")
    expect(team).to_contain_text("Cora Counselor · Counselor")
    timeline = page.locator(".timeline").first
    expect(timeline).to_contain_text("Ines Intake, intake coordinator")
    expect(timeline).to_contain_text("Patient arrived to bed North N02")
    expect(timeline).not_to_contain_text("intake_coordinator")


def test_the_intake_form_fits_a_phone(page, live_server, booking, axe):
    episode, _ = booking
    episode_services.record_arrival(
        User.objects.get(username="nora"),
        episode.pk,
        bed=episode.bed,
        arrived_at=timezone.now(),
        now=timezone.now(),
        address=None,
    )
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "nora")
    page.goto(f"{live_server.url}/episodes/{episode.pk}/intake/assessment/")
    expect(page.get_by_label("Heroin", exact=True)).to_be_checked()
    assert sideways_overflow(page) == ""
    axe.check(page)
