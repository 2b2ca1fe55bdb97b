"""A nurse charts a full COWS with vitals from the keyboard alone; the keystrokes and time are reported."""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.accounts.permissions import Role
from detoxflow.assessments.models import WithdrawalAssessment
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.builders import north_bed, sampleton_episode
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# 11 item keys, then the vitals straight away (the eleventh key lands in heart rate): 17 characters with a Tab
# after each of the 7 typed fields, 1 for sedation, Enter. Exactly what a nurse must press; more fails the test.
KEYSTROKE_BUDGET = 37


@pytest.fixture
def episode():
    bed = north_bed()
    nurse = UserFactory(username="nora", role=Role.NURSE, facility=bed.unit.facility)
    return sampleton_episode(nurse, bed, timezone.now())


def test_full_cows_with_vitals_by_keyboard(page, live_server, episode):
    sign_in(page, live_server.url, "nora")
    page.goto(f"{live_server.url}/units/{episode.unit_id}/census/")
    page.get_by_role("link", name="Chart COWS").click()
    expect(page.get_by_role("heading", name="COWS")).to_be_visible()

    keys = 0

    def press(key):
        nonlocal keys
        keys += 1
        page.keyboard.press(key)

    started = time.perf_counter()
    page.wait_for_selector("form[data-ready]")
    page.locator("fieldset.item input").first.focus()
    # Resting pulse 2, sweating 1, restlessness 3, pupils 1, aches 2, runny nose 1, GI 2, tremor 1, yawning 1,
    # anxiety 2, gooseflesh 0: total 16, moderate.
    for digit in "21312121120":
        press(digit)
    expect(page.locator("#running-total")).to_have_text("16")
    expect(page.locator("#running-band")).to_have_text("Moderate")
    # No Tab: the eleventh item's key moved focus into heart rate itself, so the next digits are not lost.
    expect(page.get_by_label("Heart rate (/min)")).to_be_focused()
    for value in ("104", "138", "88", "18", "37.2", "97", "4"):
        for char in value:
            press(char)
        press("Tab")
    press("1")  # sedation: POSS 1 selected by typing in the select
    press("Enter")
    expect(page.get_by_role("status")).to_contain_text("COWS 16 (Moderate) saved")
    elapsed = time.perf_counter() - started

    saved = WithdrawalAssessment.objects.get()
    assert (
        saved.total,
        saved.heart_rate,
        saved.systolic_bp,
        saved.diastolic_bp,
        saved.respiratory_rate,
        saved.spo2,
        saved.pain,
        saved.sedation,
    ) == (16, 104, 138, 88, 18, 97, 4, "1")
    assert str(saved.temperature_c) == "37.2"
    assert keys <= KEYSTROKE_BUDGET, f"{keys} keystrokes"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "charting-keystrokes.txt").write_text(
        f"Full COWS with vitals: {keys} keystrokes, {elapsed:.1f} s driven by Playwright (not a speed assertion)\n"
    )
    page.screenshot(path=str(ARTIFACTS / "census-after-charting.png"), full_page=True)
