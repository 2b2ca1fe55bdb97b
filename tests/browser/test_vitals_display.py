"""Every vital charted is shown back to the nurse, on a phone as on a desk: the last-assessments table beside the
charting form and the trend on the patient page, each legend naming its lines, nothing scrolling sideways."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.accounts.permissions import Role
from detoxflow.assessments import services
from detoxflow.clinical.scales import COWS
from tests.browser.conftest import ARTIFACTS, PHONE, sideways_overflow, sign_in
from tests.builders import north_bed, sampleton_episode
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
VITALS = {
    "heart_rate": 118,
    "systolic_bp": 142,
    "diastolic_bp": 91,
    "respiratory_rate": 18,
    "temperature_c": 37.9,
    "spo2": 96,
    "pain": 6,
    "sedation": "2",
}


@pytest.fixture
def episode():
    bed = north_bed()
    nurse = UserFactory(username="nora", role=Role.NURSE, facility=bed.unit.facility)
    now = timezone.now()
    episode = sampleton_episode(nurse, bed, now)
    answers = {item.key: min(item.allowed) for item in COWS.items} | {"pulse": 2, "aches": 2}
    for minutes, change in ((90, {}), (30, {"heart_rate": 96, "pain": 3, "temperature_c": 37.4})):
        services.record_assessment(
            nurse, episode, "COWS", answers, {**VITALS, **change}, now=now - dt.timedelta(minutes=minutes), address=None
        )
    return episode


def test_every_vital_is_shown_and_nothing_scrolls_sideways_on_a_phone(page, live_server, episode, axe):
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, base, "nora")
    page.set_viewport_size(PHONE)

    # Beside the charting form: the last readings, every vital, stacked into labelled cells at phone width.
    page.goto(f"{base}/episodes/{episode.pk}/assessments/new/?instrument=COWS")
    last = page.get_by_role("table", name="Last assessments of this episode, newest first")
    expect(last).to_be_visible()
    newest = last.locator("tbody tr").first
    for label, value in (
        ("Heart rate (/min)", "96"),
        ("BP (mmHg)", "142/91"),
        ("Resp. rate (/min)", "18"),
        ("Temp. (°C)", "37.4"),
        ("SpO2 (%)", "96"),
        ("Pain (0-10)", "3"),
        ("Sedation (POSS)", "2"),
    ):
        expect(newest.locator(f'td[data-label="{label}"]')).to_contain_text(value)
    expect(last.locator("tbody tr").nth(1).locator('td[data-label="Heart rate (/min)"]')).to_have_text("118 high")
    assert sideways_overflow(page) == ""
    axe.check(page)
    page.screenshot(path=str(ARTIFACTS / "charting-last-assessments-phone.png"), full_page=True)

    # On the patient page: one trend per group of vitals, each with a legend naming its lines.
    page.goto(f"{base}/patients/{episode.patient_id}/")
    for caption, names in (
        ("COWS total", ["COWS"]),
        ("Heart rate (/min) and blood pressure (mmHg)", ["Heart rate", "Systolic BP", "Diastolic BP"]),
        ("Respiratory rate (/min)", ["Respiratory rate"]),
        ("Oxygen saturation, SpO2 (%)", ["SpO2"]),
        ("Temperature (°C)", ["Temperature"]),
        ("Pain (0-10)", ["Pain"]),
        ("Sedation (POSS)", ["Sedation"]),
    ):
        figure = page.locator("figure.trend-figure", has=page.get_by_text(caption, exact=True))
        expect(figure).to_be_visible()
        expect(figure.get_by_role("list", name="Legend").get_by_role("listitem")).to_have_text(names)
        box = figure.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= PHONE["width"], f"{caption} reaches {box['x'] + box['width']:.0f} px"
    page.screenshot(path=str(ARTIFACTS / "patient-trends-phone.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/episodes/{episode.pk}/assessments/new/?instrument=COWS")
    expect(page.get_by_role("columnheader", name="Temp. °C")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Pain 0-10")).to_be_visible()
    assert sideways_overflow(page) == ""
