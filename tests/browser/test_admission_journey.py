"""From a call-back request on the public page to a stabilization-stage episode, as the staff would do it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from detoxflow.accounts.permissions import Role
from detoxflow.episodes.models import Episode
from tests.browser.conftest import ARTIFACTS, INTAKE_VITALS, PHONE, SIX_DSM5_CRITERIA, sign_in
from tests.builders import intake_program
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def program():
    facility = intake_program(beds=2)
    UserFactory(username="phil", first_name="Phil", last_name="Physician", role=Role.PHYSICIAN, facility=facility)
    return facility


def test_call_back_request_to_stabilization(page, live_server, program):
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    # A person asks for a call back from a phone.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/get-help/")
    expect(page.get_by_role("link", name="988", exact=False).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("First name or a name we can use").fill("Sky")
    page.get_by_label("Phone number").fill("555-0123")
    page.get_by_label("Evening").check()
    page.get_by_label("Phone number").press("Enter")
    expect(page.get_by_role("heading", name="Thank you — we will call you back")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "get-help-thanks-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The intake coordinator works the request: phone screen, triage, bed booking.
    sign_in(page, base, "ines")
    page.get_by_role("link", name="Intake queue").click()
    page.get_by_role("link", name="Start phone screen").click()
    expect(page.get_by_label("Caller name")).to_have_value("Sky")
    page.get_by_label("Caller relationship").select_option("self")
    page.get_by_label("Heroin", exact=True).check()
    page.get_by_label("Hours since last use").fill("8")
    page.get_by_label("Route").select_option("injection")
    page.get_by_role("group", name="Pregnancy").get_by_label("Not applicable").check()
    page.get_by_role("group", name="Wants treatment now").get_by_label("Yes").check()
    page.get_by_role("button", name="Triage", exact=True).click()
    expect(page.locator("#triage-reasons")).to_contain_text("A bed is free")
    page.screenshot(path=str(ARTIFACTS / "phone-screen-result.png"), full_page=True)
    page.get_by_role("link", name="Book a bed").click()
    # The record number is made from the facility's pattern; the caller's name came from the call-back.
    expect(page.get_by_label("Given name")).to_have_value("Sky")
    page.get_by_label("Family name").fill("Notreal")
    page.get_by_role("group", name="New patient").get_by_label("Date of birth").fill("1991-03-04")
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("Bed").select_option(label="North N01")
    # Tomorrow morning, from the real clock: a fixed date here stopped being in the future when the calendar passed it.
    arrival = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(9))  # noqa: DTZ011  (a form's local wall-clock value)
    page.get_by_label("Expected arrival").fill(arrival.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Book the bed").click()
    expect(page.get_by_role("heading", name="Notreal, Sky SYNTH-000001")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The physician meets the patient on arrival and does the intake.
    sign_in(page, base, "phil")
    page.get_by_role("link", name="Bed board").click()
    expect(page.get_by_role("table", name="North beds")).to_contain_text("Reserved")
    page.get_by_role("link", name="Notreal, Sky").click()
    page.get_by_role("link", name="Patient arrived").click()
    page.get_by_role("button", name="Record the arrival").click()
    expect(page.locator(".stage").first).to_have_text("Evaluation & intake")
    page.get_by_role("link", name="Intake", exact=True).click()
    page.get_by_role("link", name="Start the intake assessment").click()
    page.get_by_label("Heroin", exact=True).check()
    page.get_by_label("Benzodiazepines", exact=True).check()
    page.get_by_label("Suicide risk").select_option("none")
    page.get_by_label("Pregnancy").select_option("not_applicable")
    page.get_by_label("Housing").select_option("stable")
    page.get_by_label("Home support").check()
    page.get_by_label("Can attend daily").check()
    for label, value in INTAKE_VITALS:
        page.get_by_label(label, exact=True).fill(value)
    for criterion in SIX_DSM5_CRITERIA:
        page.get_by_label(criterion).check()
    page.get_by_role("button", name="Save and see the recommendation").click()
    expect(page.locator("#oud-severity")).to_have_text("Severe")
    expect(page.locator("#recommendation")).to_contain_text("Inpatient")
    expect(page.get_by_role("table", name="Reasons for the recommendation")).to_contain_text("benzodiazepines co-use")
    page.screenshot(path=str(ARTIFACTS / "intake-recommendation.png"), full_page=True)
    page.get_by_role("combobox", name="Decision").select_option("confirm")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#decision")).to_contain_text("Confirmed the recommendation")
    page.get_by_label("Goals").fill("Comfortable withdrawal; start buprenorphine; plan aftercare")
    page.get_by_label("Planned length of stay (days)").fill("7")
    page.get_by_role("button", name="Save the plan").click()
    page.get_by_role("button", name="Complete intake and start stabilization").click()
    expect(page.locator(".stage").first).to_have_text("Stabilization")
    episode = Episode.objects.get(patient__mrn="SYNTH-000001")
    assert (episode.stage, episode.care_setting, episode.withdrawal_medication) == (
        "stabilization",
        "inpatient",
        "buprenorphine",
    )


@pytest.mark.parametrize(
    "path", ["/", "/beds/", "/intake-queue/", "/phone-screens/new/", "/clinical-rules/", "/admissions/book/"]
)
def test_staff_screens_fit_a_phone(page, live_server, program, path):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, "phil")
    page.goto(f"{live_server.url}{path}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width}px wide on a 390px phone"
