"""The unit's time-slot round: doses in their hour, readiness in calm words, and a dose recorded from the round."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.medications import services
from detoxflow.medications.models import MedicationAdministration
from tests.browser.conftest import ARTIFACTS, PHONE, sideways_overflow, sign_in
from tests.builders import north_ward, sampleton_episode, signed_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def episode():
    """Ondansetron every 8 h, its first dose due ten minutes ago, and buprenorphine as needed with no COWS yet."""
    bed, physician = north_ward(nurse={"first_name": "Nora", "last_name": "Nightingale"})
    now = timezone.now()
    episode = sampleton_episode(physician, bed, now, last_heroin=now - timezone.timedelta(hours=14), bup_stock_mg=56)
    due = now - timezone.timedelta(minutes=10)
    signed_order(physician, episode, "ondansetron", "scheduled", 4, 8, 24, 480, due)
    services.sign_protocol(physician, episode, "buprenorphine_induction", now=now, address=None)
    return episode


def test_a_dose_recorded_from_the_time_slot_round(page, live_server, episode, axe):
    sign_in(page, live_server.url, "nora")
    page.goto(f"{live_server.url}/units/{episode.unit_id}/mar/")
    expect(page.get_by_role("heading", name="North medication round")).to_be_visible()
    round_table = page.get_by_role("table", name="North medication round")
    expect(round_table).not_to_contain_text("Hard stop")  # nobody has tried to give anything yet
    bup = round_table.locator("tr", has_text="Buprenorphine")
    expect(bup.locator(".readiness")).to_have_text("Needs a COWS first")
    axe.check(page)

    ondansetron = round_table.locator("tr", has_text="Ondansetron")
    expect(ondansetron.locator(".mark-due")).to_have_count(1)
    ondansetron.get_by_role("button", name="as given").click()
    expect(page).to_have_url(f"{live_server.url}/units/{episode.unit_id}/mar/")
    expect(ondansetron.locator(".mark-given")).to_contain_text("Nora Nightingale")
    dose = MedicationAdministration.objects.get()
    assert (dose.status, dose.by_name, dose.due_at is not None) == ("given", "Nora Nightingale", True)

    # The hard stop shows only when someone tries, and only on that order's row.
    bup.get_by_text("Record a dose").click()
    bup.get_by_role("button", name="Record dose").click()
    expect(bup.get_by_role("alert")).to_contain_text("Hard stop: No COWS in the last 60 min")
    expect(ondansetron.get_by_role("alert")).to_have_count(0)
    assert MedicationAdministration.objects.count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "unit-round.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/units/{episode.unit_id}/mar/")
    assert sideways_overflow(page) == ""
    axe.check(page)
    page.screenshot(path=str(ARTIFACTS / "unit-round-phone.png"), full_page=True)
