"""From aftercare planning to a completed discharge, with the patient handout downloaded."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.accounts.permissions import Role
from detoxflow.clinical.stages import Stage
from detoxflow.directory.models import Resource
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from tests.builders import stabilized_episode
from tests.factories import BedFactory, FacilityFactory, PatientFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def episode():
    facility = FacilityFactory(name="Synthetic Detox Unit")
    bed = BedFactory(unit=UnitFactory(facility=facility, name="North"), label="N01")
    physician = UserFactory(username="phil", role=Role.PHYSICIAN, facility=facility)
    Resource.objects.create(
        facility=facility,
        kind="support_group",
        name="Synthetic SMART Recovery Group",
        address="4 Example Way",
        phone="555-0140",
        hours_text="24/7",
    )
    now = timezone.now()
    episode = stabilized_episode(
        physician,
        PatientFactory(facility=facility, family_name="Sampleton"),
        bed,
        now,
        last_heroin=now - timezone.timedelta(days=3),
    )
    return episode_services.change_stage(
        physician, episode.pk, Stage.AFTERCARE_PLANNING, reason="stable", now=now, address=None
    )


def test_aftercare_to_completed_discharge_with_handout(page, live_server, episode):
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("phil")
    page.get_by_label("Password").fill("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Synthetic Detox Unit")).to_be_visible()
    page.goto(f"{live_server.url}/patients/{episode.patient_id}/")
    page.get_by_role("link", name="Aftercare & discharge").click()

    page.get_by_text("Add to the plan").click()
    page.get_by_label("Kind").select_option("support_group")
    page.get_by_label("Directory entry").select_option(label="Synthetic SMART Recovery Group")
    page.get_by_label("Appointment").fill(
        (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT18:30")
    )
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#aftercare-items")).to_contain_text("Synthetic SMART Recovery Group")
    page.get_by_role("button", name="Plan reviewed with the patient").click()
    expect(page.locator("#reviewed")).to_be_visible()

    page.get_by_label("Naloxone").select_option("dispensed")
    page.get_by_label("Overdose education given (loss of tolerance)").check()
    page.get_by_label("Medications reconciled").check()
    page.get_by_role("button", name="Save checklist").click()
    page.get_by_label("Discharge type", exact=True).select_option("completed")
    page.get_by_label("Reason").fill("Plan in place, follow-up booked")
    page.get_by_role("button", name="Discharge", exact=True).click()
    expect(page.get_by_text("Follow-up calls are booked.")).to_be_visible()

    with page.expect_download() as download:
        page.locator("#handout-link").click()
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "patient-handout.pdf"
    download.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert Episode.objects.get(pk=episode.pk).discharge_type == "completed"
