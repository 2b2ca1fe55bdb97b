"""Pre-admission as the intake coordinator lives it: an emergency ends the call at once, and what the caller
said on the get-help page and on the phone reaches the booking without being typed again."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from detoxflow.admissions.models import CallbackRequest, PhoneScreen
from detoxflow.episodes.models import Episode
from detoxflow.patients.models import Patient
from tests.browser.conftest import ARTIFACTS, PHONE, sign_in
from tests.builders import intake_program
from tests.factories import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def program():
    return intake_program(beds=3)


def tomorrow_morning() -> str:
    # From the real clock: a fixed date stops being in the future when the calendar passes it.
    arrival = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(9))  # noqa: DTZ011  (a form's local wall-clock value)
    return arrival.strftime("%Y-%m-%dT%H:%M")


def test_an_emergency_screen_with_only_the_emergency_box_ticked(page, live_server, program, axe):
    sign_in(page, live_server.url, "ines")
    page.goto(f"{live_server.url}/phone-screens/new/")
    axe.check(page)
    page.get_by_label("Someone is overdosing or unresponsive right now").check()
    page.get_by_role("button", name="Triage now").click()

    alert = page.locator(".emergency[role=alert]")
    expect(alert).to_contain_text("Emergency — send to emergency services now")
    expect(alert).to_contain_text("911")
    expect(page.locator("#triage-reasons")).to_contain_text("Emergency sign: someone is overdosing or unresponsive now")
    expect(page.locator("#not-asked")).to_contain_text("wants treatment now")
    page.screenshot(path=str(ARTIFACTS / "phone-screen-emergency.png"), full_page=True)
    axe.check(page)
    screen = PhoneScreen.objects.get()
    assert (screen.decision, screen.overdose_now, screen.substances, screen.wants_treatment) == (
        "emergency",
        True,
        [],
        None,
    )


def test_a_call_back_reaches_the_booking_without_retyping(page, live_server, program, axe):
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    # On a phone, the person goes straight to the call-back form and leaves a name and a number.
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/get-help/")
    axe.check(page)
    page.get_by_role("link", name="Ask us to call you back").click()
    name = page.get_by_label("First name or a name we can use")
    expect(name).to_be_in_viewport()
    # Each time's words sit beside its button, on the same line.
    evening, evening_words = page.get_by_label("Evening"), page.locator("label.choice", has_text="Evening")
    button_box, label_box = evening.bounding_box(), evening_words.bounding_box()
    assert button_box
    assert label_box
    assert label_box["height"] < 2.5 * button_box["height"], "the radio's label wraps under its button"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    name.fill("Sky Notreal")
    page.get_by_label("Phone number").fill("555-0123")
    evening.check()
    page.screenshot(path=str(ARTIFACTS / "get-help-form-phone.png"), full_page=False)
    page.get_by_role("button", name="Ask for a call back").click()
    expect(page.get_by_role("heading", name="Thank you — we will call you back")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})

    # The coordinator calls back: name and number are already on the screen.
    sign_in(page, base, "ines")
    page.get_by_role("link", name="Intake queue").click()
    axe.check(page)
    page.get_by_role("link", name="Start phone screen").click()
    expect(page.get_by_label("Caller name")).to_have_value("Sky Notreal")
    expect(page.get_by_label("Call-back number")).to_have_value("555-0123")
    for question in ("Pregnancy", "Has a safe place to live", "Has someone supportive at home", "Wants treatment now"):
        expect(page.get_by_role("group", name=question).locator("input:checked")).to_have_count(0)
    page.get_by_label("Caller relationship").select_option("self")
    page.get_by_label("Fentanyl or analogues").check()
    page.get_by_label("Hours since last use").fill("6")
    page.get_by_label("Route").select_option("smoking")

    # Pressing Triage before asking what triage needs names each question, and keeps the answers given.
    page.get_by_role("button", name="Triage", exact=True).click()
    expect(page.locator("[data-field=pregnancy]")).to_contain_text("Ask about pregnancy")
    expect(page.locator("[data-field=wants_treatment]")).to_contain_text("Ask whether the person wants treatment")
    expect(page.get_by_label("Hours since last use")).to_have_value("6")
    axe.check(page)
    page.get_by_role("group", name="Pregnancy").get_by_label("Possible / unknown").check()
    page.get_by_role("group", name="Wants treatment now").get_by_label("Yes").check()
    page.get_by_role("button", name="Triage", exact=True).click()
    expect(page.locator("#triage-reasons")).to_contain_text("A bed is free")
    expect(page.locator("#not-asked")).to_contain_text("safe place to live")
    page.get_by_role("link", name="Book a bed").click()

    # The booking carries the caller: only what the call could not know is typed.
    summary = page.locator("#screen-summary")
    expect(summary).to_contain_text("Fentanyl or analogues")
    expect(summary).to_contain_text("6 h before the call")
    expect(summary).to_contain_text("Smoking")
    expect(page.get_by_label("Given name")).to_have_value("Sky")
    expect(page.get_by_label("Family name")).to_have_value("Notreal")
    expect(page.get_by_label("Phone", exact=True)).to_have_value("555-0123")
    expect(page.get_by_label("Could be pregnant")).to_be_checked()
    expect(page.get_by_label("Medical record number")).to_have_value("")
    expect(page.locator("#no-match")).to_be_visible()
    axe.check(page)
    page.get_by_role("group", name="New patient").get_by_label("Date of birth").fill("1991-03-04")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Bed").select_option(label="North N01")
    page.get_by_label("Expected arrival").fill(tomorrow_morning())
    page.screenshot(path=str(ARTIFACTS / "book-from-screen.png"), full_page=True)
    page.get_by_role("button", name="Book the bed").click()

    expect(page.get_by_role("heading", name="Notreal, Sky SYNTH-000001")).to_be_visible()
    patient = Patient.objects.get(mrn="SYNTH-000001")
    assert (patient.given_name, patient.family_name, patient.phone, patient.pregnancy_capable) == (
        "Sky",
        "Notreal",
        "555-0123",
        True,
    )
    screen = PhoneScreen.objects.get()
    assert screen.episode == Episode.objects.get(patient=patient)
    assert CallbackRequest.objects.get().status == "screened"


def test_a_returning_patient_is_found_and_booked_from_a_free_bed(page, live_server, program, axe):
    returning = PatientFactory(
        facility=program, given_name="Robin", family_name="Againson", mrn="OLD-4411", date_of_birth=dt.date(1985, 2, 1)
    )
    sign_in(page, live_server.url, "ines")
    page.get_by_role("link", name="Bed board").click()
    board = page.get_by_role("table", name="North beds")
    expect(board.get_by_role("link", name="Book North N02")).to_be_visible()
    axe.check(page)
    page.screenshot(path=str(ARTIFACTS / "bed-board-book.png"), full_page=True)
    board.get_by_role("link", name="Book North N02").click()
    expect(page.get_by_label("Bed")).to_have_value(str(program.beds.get(label="N02").pk))

    search = page.get_by_role("search", name="Find a registered patient")
    search.get_by_label("Name").fill("againson")
    search.get_by_label("Date of birth").fill("1985-02-01")
    search.get_by_role("button", name="Search").click()
    found = page.get_by_role("table", name="Registered patients found")
    expect(found).to_contain_text("OLD-4411")
    found.get_by_role("link", name="Book for Robin Againson").click()
    expect(page.locator("#chosen-patient")).to_contain_text("Againson, Robin")
    expect(page.get_by_label("Bed")).to_have_value(str(program.beds.get(label="N02").pk))
    axe.check(page)
    page.get_by_label("Expected arrival").fill(tomorrow_morning())
    page.get_by_role("button", name="Book the bed").click()

    expect(page.get_by_role("heading", name="Againson, Robin OLD-4411")).to_be_visible()
    assert Patient.objects.count() == 1
    assert Episode.objects.get(patient=returning).bed.label == "N02"
