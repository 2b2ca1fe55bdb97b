"""From aftercare planning to a completed discharge, with the patient handout downloaded: the plan's items are
offered by kind, changed and removed on the way."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from detoxflow.accounts.permissions import Role
from detoxflow.aftercare.models import AftercareItem
from detoxflow.clinical.stages import Stage
from detoxflow.directory.models import Resource
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.builders import north_bed, sampleton_episode
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def resource(facility, kind, name, phone):
    return Resource.objects.create(
        facility=facility, kind=kind, name=name, address="4 Example Way", phone=phone, hours_text="24/7"
    )


@pytest.fixture
def episode():
    bed = north_bed()
    facility = bed.unit.facility
    physician = UserFactory(username="phil", role=Role.PHYSICIAN, facility=facility)
    resource(facility, "support_group", "Synthetic SMART Recovery Group", "555-0140")
    resource(facility, "sober_living", "Synthetic Sober House", "555-0141")
    now = timezone.now()
    episode = sampleton_episode(physician, bed, now, last_heroin=now - timezone.timedelta(days=3))
    return episode_services.change_stage(
        physician, episode.pk, Stage.AFTERCARE_PLANNING, reason="stable", now=now, address=None
    )


def add_item(page, kind, entry, *, appointment=""):
    """Choose the kind, wait for the entries that fit it (htmx), then the entry."""
    page.get_by_label("Kind").select_option(kind)
    entries = page.get_by_label("Directory entry")
    expect(entries.locator("option", has_text=entry)).to_have_count(1)
    expect(entries.locator("option")).to_have_count(2)  # the one that fits, and "---------"
    entries.select_option(label=entry)
    if appointment:
        page.get_by_label("Appointment").fill(appointment)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#aftercare-items")).to_contain_text(entry)


def test_aftercare_to_completed_discharge_with_handout(page, live_server, episode, axe):
    sign_in(page, live_server.url, "phil")
    page.goto(f"{live_server.url}/patients/{episode.patient_id}/")
    page.get_by_role("link", name="Aftercare & discharge").click()

    expect(page.get_by_role("heading", name="Add to the plan")).to_be_visible()  # not folded away
    axe.check(page)
    in_three_days = (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT18:30")
    add_item(page, "support_group", "Synthetic SMART Recovery Group", appointment=in_three_days)
    add_item(page, "housing", "Synthetic Sober House")

    # The house was a mistake: removed. The group's detail is added on its own page.
    page.get_by_role("button", name="Remove Housing (sober living, transitional): Synthetic Sober House").click()
    expect(page.locator("#aftercare-items")).not_to_contain_text("Synthetic Sober House")
    page.get_by_role("link", name="Edit Support group (NA, SMART Recovery): Synthetic SMART Recovery Group").click()
    expect(page.get_by_label("Directory entry")).to_have_value(str(Resource.objects.get(kind="support_group").pk))
    axe.check(page)
    page.get_by_label("Detail (prescriber, group, address notes)").fill("Tuesday 18:30, ask for Sam")
    page.get_by_role("button", name="Save the item").click()
    expect(page.locator("#aftercare-items")).to_contain_text("Tuesday 18:30, ask for Sam")
    assert list(AftercareItem.objects.values_list("kind", flat=True)) == ["support_group"]

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
