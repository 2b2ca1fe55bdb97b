"""The physician authorises an override on the order; the nurse gives the dose; both names stay, each in its role."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from detoxflow.medications.models import ControlledLedgerEntry, MedicationAdministration
from tests.browser.conftest import ARTIFACTS, PHONE, sideways_overflow, sign_in
from tests.builders import buprenorphine_induction, north_ward, sampleton_episode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def episode():
    """Buprenorphine induction signed, stock on the unit, and no COWS charted yet: every dose meets a hard stop."""
    bed, physician = north_ward(
        nurse={"first_name": "Nora", "last_name": "Nightingale"}, physician={"first_name": "Phil", "last_name": "Osler"}
    )
    now = timezone.now()
    episode = sampleton_episode(physician, bed, now, last_heroin=now - timezone.timedelta(hours=14))
    buprenorphine_induction(physician, episode, now, stock_mg=56)
    return episode


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_physician_overrides_then_the_nurse_gives_the_dose_with_both_names_kept(page, live_server, episode, axe):
    mar = f"{live_server.url}/episodes/{episode.pk}/medications/"
    sign_in(page, live_server.url, "nora")
    page.goto(mar)
    expect(page.locator(".readiness").first).to_have_text("Needs a COWS first")
    expect(page.get_by_role("button", name="Authorise override")).to_have_count(0)
    page.get_by_role("button", name="Record dose").click()
    expect(page.get_by_role("alert")).to_contain_text("A physician can authorise an override on this order")
    sign_out(page)

    sign_in(page, live_server.url, "phil")
    page.goto(mar)
    axe.check(page)
    page.get_by_label("Reason for the override").fill("COWS 13 charted on paper while the system was down")
    page.get_by_role("button", name="Authorise override").click()
    expect(page.locator(".override-in-force")).to_contain_text("Override authorised by Phil Osler")
    expect(page.locator(".override-in-force")).to_contain_text("for the next dose")
    assert not MedicationAdministration.objects.exists()  # authorising gives nothing
    # The physician's page, with the protocol and hand-order forms, fits a phone too.
    page.set_viewport_size(PHONE)
    assert sideways_overflow(page) == ""
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_out(page)

    sign_in(page, live_server.url, "nora")
    page.goto(mar)
    expect(page.locator(".readiness").first).to_contain_text("Ready: override by Phil Osler")
    page.get_by_role("button", name="Record dose").click()
    given = page.locator("ul.given li").first
    expect(given).to_contain_text("given by Nora Nightingale")
    expect(given).to_contain_text("override authorised by Phil Osler")
    expect(given).to_contain_text("COWS 13 charted on paper")
    axe.check(page)
    page.set_viewport_size(PHONE)
    assert sideways_overflow(page) == ""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mar-override-then-dose.png"), full_page=True)

    page.goto(f"{live_server.url}/controlled-substances/?kind=dispensed")
    row = page.get_by_role("table", name="Controlled-substance log").locator("tbody tr").first
    expect(row).to_contain_text("Sampleton")
    expect(row.locator('td[data-label="By"]')).to_have_text("Nora Nightingale")
    expect(row.locator('td[data-label="Note"]')).to_have_text("Hard stop override authorised by Phil Osler")
    assert sideways_overflow(page) == ""
    axe.check(page)
    dose = MedicationAdministration.objects.get()
    assert (dose.by_name, dose.override_by_name) == ("Nora Nightingale", "Phil Osler")
    assert ControlledLedgerEntry.objects.get(administration=dose).by_name == "Nora Nightingale"


def test_stopping_an_order_is_confirmed_with_a_reason_and_the_medication_pages_fit_a_phone(
    page, live_server, episode, axe
):
    sign_in(page, live_server.url, "phil")
    page.set_viewport_size(PHONE)
    for path in (f"/episodes/{episode.pk}/taper/", "/protocols/", f"/episodes/{episode.pk}/medications/"):
        page.goto(f"{live_server.url}{path}")
        assert sideways_overflow(page) == "", path
    page.get_by_role("link", name="Stop this order…").click()
    expect(page.get_by_role("heading", name="Stop this order?")).to_be_visible()
    assert sideways_overflow(page) == ""
    axe.check(page)
    page.get_by_role("button", name="Stop the order").click()  # no reason yet: the browser asks for one
    expect(page.get_by_role("heading", name="Stop this order?")).to_be_visible()
    page.get_by_label("Reason for stopping").fill("Patient chose methadone maintenance")
    page.get_by_role("button", name="Stop the order").click()
    expect(page.get_by_text("No active orders.")).to_be_visible()
    order = episode.orders.get()
    assert (order.stop_reason, order.stopped_by_name) == ("Patient chose methadone maintenance", "Phil Osler")
