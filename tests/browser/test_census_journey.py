"""A nurse's first minutes: sign in, open the census, open a patient, move them on, see the timeline."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.accounts.permissions import Role
from detoxflow.clinical.stages import CareSetting, Stage, WithdrawalMedication
from detoxflow.episodes import services
from tests.browser.conftest import ARTIFACTS, PHONE, sign_in
from tests.factories import BedFactory, FacilityFactory, PatientFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ward():
    facility = FacilityFactory(name="Synthetic Detox Unit")
    unit = UnitFactory(facility=facility, name="North")
    beds = [BedFactory(unit=unit, label=f"N{n:02d}") for n in range(1, 5)]
    nurse = UserFactory(username="nora", first_name="Nora", last_name="Nurse", role=Role.NURSE, facility=facility)
    physician = UserFactory(username="phil", role=Role.PHYSICIAN, facility=facility)
    patient = PatientFactory(facility=facility, given_name="Alex", family_name="Sampleton", mrn="SYN-000001")
    episode = services.open_episode(physician, patient, reason="Phone screen", now=timezone.now(), address=None)
    services.change_stage(physician, episode.pk, Stage.EVALUATION, reason="Arrived", now=timezone.now(), address=None)
    services.choose_care_setting(
        physician, episode, CareSetting.INPATIENT, WithdrawalMedication.BUPRENORPHINE, address=None
    )
    services.assign_bed(nurse, episode, beds[1], address=None)
    return unit


def test_nurse_moves_a_patient_to_stabilization_from_the_census(page, live_server, ward):
    sign_in(page, live_server.url, "nora")
    page.get_by_role("link", name="North").click()
    census = page.get_by_role("table", name="North census")
    expect(census).to_contain_text("N02")
    expect(census).to_contain_text("Sampleton, Alex")
    expect(census).to_contain_text("Evaluation & intake")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "census.png"), full_page=True)

    page.get_by_role("link", name="Sampleton, Alex").click()
    page.get_by_label("Move to").select_option(label="Stabilization")
    page.get_by_label("Reason").fill("Intake complete, COWS 9")
    page.get_by_role("button", name="Change stage").click()
    expect(page.locator(".timeline").first).to_contain_text("Intake complete, COWS 9")
    expect(page.locator(".stage").first).to_have_text("Stabilization")
    page.screenshot(path=str(ARTIFACTS / "patient.png"), full_page=True)


def test_a_refused_move_is_explained_in_place(page, live_server, ward):
    sign_in(page, live_server.url, "phil")
    page.goto(f"{live_server.url}/units/{ward.pk}/census/")
    page.get_by_role("link", name="Sampleton, Alex").click()
    page.get_by_label("Move to").select_option(label="Discharged")
    page.get_by_label("Reason").fill("Leaving")
    page.get_by_role("button", name="Change stage").click()  # no discharge type chosen
    expect(page.get_by_role("alert").first).to_contain_text("a discharge type is required")
    expect(page.locator(".stage").first).to_have_text("Evaluation & intake")


def test_census_reads_at_phone_width(page, live_server, ward):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "nora")
    page.goto(f"{live_server.url}/units/{ward.pk}/census/")
    expect(page.get_by_text("Sampleton, Alex")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"census overflows a phone screen: {width}px wide"
    page.screenshot(path=str(ARTIFACTS / "census-phone.png"), full_page=True)
