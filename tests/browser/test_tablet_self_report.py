"""A nurse hands the tablet to a patient: started by a button (POST), the SOWS and the thank-you page show nothing of
the staff screens, and only the nurse's password gives the tablet back."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.accounts.permissions import Role
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.clinical.scales import SOWS
from tests.browser.conftest import ARTIFACTS, PASSWORD, PHONE, sideways_overflow, sign_in
from tests.builders import north_bed, stabilized_episode
from tests.factories import PatientFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def episode():
    bed = north_bed()
    facility = bed.unit.facility
    nurse = UserFactory(username="nora", first_name="Nora", last_name="Nightingale", role=Role.NURSE, facility=facility)
    patient = PatientFactory(facility=facility, given_name="Robin", family_name="Sampleton", mrn="SYN-000042")
    return stabilized_episode(nurse, patient, bed, timezone.now())


def expect_no_staff_screen(page):
    """Nothing a patient should see or use: the menu, the nurse's name, Sign out, the patient banner."""
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_text("Nightingale")).to_have_count(0)
    expect(page.get_by_text("SYN-000042")).to_have_count(0)
    expect(page.locator(".patient-banner")).to_have_count(0)


def test_tablet_mode_started_by_post_shows_only_the_scale_and_the_thank_you(page, live_server, episode, axe):
    base = live_server.url
    sign_in(page, base, "nora")

    # Following the link (as a prefetch or link checker would) only shows the start button; nothing is locked.
    page.goto(f"{base}/patients/{episode.patient_id}/")
    page.get_by_role("link", name="Hand the tablet to the patient (SOWS)").click()
    expect(page.get_by_role("heading", name="Hand the tablet to the patient")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    axe.check(page)
    page.goto(f"{base}/patients/{episode.patient_id}/")
    expect(page.get_by_role("heading", name="Sampleton, Robin")).to_be_visible()
    page.go_back()

    # The button's POST starts tablet mode, checked with the CSRF token the form carries.
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/self-report/")) as started:
        page.get_by_role("button", name="Start tablet mode").click()
    assert "csrfmiddlewaretoken=" in (started.value.post_data or "")
    expect(page.get_by_role("heading", name="How do you feel right now?")).to_be_visible()
    page.wait_for_selector("form[data-ready]")
    expect_no_staff_screen(page)
    axe.check(page)
    page.set_viewport_size(PHONE)
    assert sideways_overflow(page) == ""
    page.screenshot(path=str(ARTIFACTS / "tablet-self-report-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})

    # The patient cannot browse away: any other page brings the scale back.
    page.goto(f"{base}/patients/{episode.patient_id}/")
    expect(page.get_by_role("heading", name="How do you feel right now?")).to_be_visible()

    # The patient taps one answer per line ("a little", 1 point each) and is done.
    for fieldset in page.locator("fieldset.item").all():
        fieldset.get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="I'm done").click()
    expect(page.get_by_role("heading", name="Thank you.")).to_be_visible()
    expect_no_staff_screen(page)
    axe.check(page)
    saved = WithdrawalAssessment.objects.get()
    assert (saved.instrument, saved.total, saved.self_reported) == ("SOWS", len(SOWS.items), True)
    page.screenshot(path=str(ARTIFACTS / "tablet-thank-you.png"), full_page=True)

    # Back with the nurse: a wrong password keeps the lock; hers returns the staff screens.
    page.get_by_label("Nurse: your password to unlock").fill("not the password")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("alert")).to_contain_text("That password is not right")
    expect_no_staff_screen(page)
    page.get_by_label("Nurse: your password to unlock").fill(PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("Nightingale")).to_be_visible()
