"""From a COWS to a first buprenorphine dose, and a second dose refused as too early, in the browser."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.medications.models import MedicationAdministration
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.builders import buprenorphine_induction, north_ward, sampleton_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def episode():
    bed, physician = north_ward()
    now = timezone.now()
    episode = sampleton_episode(physician, bed, now, last_heroin=now - timezone.timedelta(hours=14), bup_stock_mg=56)
    buprenorphine_induction(physician, episode, now, stock_mg=56)  # a second delivery, after the one above
    return episode


def test_cows_then_buprenorphine_then_a_blocked_early_dose(page, live_server, episode):
    sign_in(page, live_server.url, "nora")
    page.goto(f"{live_server.url}/patients/{episode.patient_id}/")
    page.get_by_role("link", name="Chart COWS").click()
    page.wait_for_selector("form[data-ready]")
    page.locator("fieldset.item input").first.focus()
    for digit in "22311120110":  # total 14, moderate
        page.keyboard.press(digit)
    page.get_by_label("Respiratory rate (/min)").fill("16")
    page.get_by_label("Heart rate (/min)").fill("102")
    page.get_by_label("Systolic BP").fill("134")
    page.get_by_label("Diastolic BP").fill("84")
    page.get_by_label("Sedation (POSS)").select_option("1")
    page.get_by_role("button", name="Save COWS").click()
    expect(page.get_by_role("status")).to_contain_text("COWS 14 (Moderate) saved")

    page.get_by_role("link", name="Medications").click()
    expect(page.locator(".readiness")).to_have_text("Ready")
    expect(page.locator(".ok-now")).to_contain_text("No hard stop for 4 mg now")
    page.get_by_role("button", name="Record dose").click()
    expect(page.locator("ul.given")).to_contain_text("Given 4 mg")
    expect(page.locator(".readiness")).to_contain_text("Not before")
    page.get_by_role("button", name="Record dose").click()
    expect(page.get_by_role("alert")).to_contain_text("the order allows one every 120 min")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mar-blocked-dose.png"), full_page=True)
    assert MedicationAdministration.objects.filter(status="given").count() == 1
