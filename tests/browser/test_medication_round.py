"""From a COWS to a first buprenorphine dose, and a second dose refused as too early, in the browser."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.accounts.permissions import Role
from detoxflow.medications import ledger, services
from detoxflow.medications.models import MedicationAdministration
from tests.builders import stabilized_episode
from tests.factories import BedFactory, FacilityFactory, PatientFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def episode():
    facility = FacilityFactory(name="Synthetic Detox Unit")
    bed = BedFactory(unit=UnitFactory(facility=facility, name="North"), label="N01")
    UserFactory(username="nora", role=Role.NURSE, facility=facility)
    physician = UserFactory(username="phil", role=Role.PHYSICIAN, facility=facility)
    now = timezone.now()
    episode = stabilized_episode(
        physician,
        PatientFactory(facility=facility, family_name="Sampleton"),
        bed,
        now,
        last_heroin=now - timezone.timedelta(hours=14),
        bup_stock_mg=56,
    )
    services.sign_protocol(physician, episode, "buprenorphine_induction", now=now, address=None)
    ledger.receive(
        physician,
        ledger.stock_for(facility.pk, episode.unit_id, "buprenorphine_sl"),
        Decimal(56),
        note="pharmacy delivery",
        now=now,
        address=None,
    )
    return episode


def test_cows_then_buprenorphine_then_a_blocked_early_dose(page, live_server, episode):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("nora")
    page.get_by_label("Password").fill("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Synthetic Detox Unit")).to_be_visible()
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
