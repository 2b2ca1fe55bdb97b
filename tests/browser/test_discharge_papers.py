"""A physician discharges a patient whose buprenorphine taper is unfinished: the discharge asks what happens to
each active order, and the summary PDF, read back, carries the diagnosis, the medications, the author and the
facility. The counselor then sees the follow-up calls coming up."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from detoxflow.accounts.models import User
from detoxflow.accounts.permissions import Role
from detoxflow.aftercare import services as aftercare
from detoxflow.aftercare.models import DischargeMedication
from detoxflow.clinical.stages import DischargeType, Stage
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications.models import MedicationRequest
from tests.browser.conftest import ARTIFACTS, PHONE, sideways_overflow, sign_in
from tests.builders import aftercare_plan_ready, signed_order, stabilized_episode
from tests.factories import BedFactory, FacilityFactory, PatientFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def stay():
    facility = FacilityFactory(
        name="Synthetic Detox Unit", address="1 Synthetic Way, Sampletown", main_phone="555-0100"
    )
    bed = BedFactory(unit=UnitFactory(facility=facility, name="North", phone="555-0150"), label="N01")
    physician = UserFactory(
        username="phil", first_name="Phil", last_name="Examplewright", role=Role.PHYSICIAN, facility=facility
    )
    counselor = UserFactory(username="cora", role=Role.COUNSELOR, facility=facility)
    now = timezone.now()
    episode = stabilized_episode(
        physician,
        PatientFactory(facility=facility, family_name="Sampleton", given_name="Alex", phone="555-0123"),
        bed,
        now,
        last_heroin=now - dt.timedelta(days=3),
    )
    IntakeAssessment.objects.filter(episode=episode).update(oud_icd10="F11.20")
    bup = signed_order(physician, episode, "buprenorphine_sl", "as_needed", 8, 8, 16, 600, now)
    nausea = signed_order(physician, episode, "ondansetron", "as_needed", 4, 8, 24, 480, now)
    episode_services.change_stage(
        physician, episode.pk, Stage.AFTERCARE_PLANNING, reason="stable", now=now, address=None
    )
    aftercare_plan_ready(counselor, episode, "buprenorphine", now, days=2, detail="Synthetic Recovery Clinic, Dr Rowan")
    return {"episode": episode, "bup": bup, "nausea": nausea}


def test_a_discharge_with_active_orders_is_confirmed_and_the_summary_reads_back(page, live_server, stay, axe):
    episode, bup, nausea = stay["episode"], stay["bup"], stay["nausea"]
    sign_in(page, live_server.url, "phil")
    page.goto(f"{live_server.url}/episodes/{episode.pk}/aftercare/")
    page.set_viewport_size(PHONE)
    assert sideways_overflow(page) == ""
    page.set_viewport_size(DESKTOP)
    expect(page.locator("#active-orders")).to_contain_text("Buprenorphine SL tablet 8 mg")
    page.get_by_label("Discharge type", exact=True).select_option("completed")
    page.get_by_label("Reason").fill("Stable on buprenorphine; continues with the clinic")
    page.get_by_role("button", name="Discharge", exact=True).click()

    # Asked, not discharged yet.
    expect(page.get_by_role("heading", name="Orders still active")).to_be_visible()
    assert Episode.objects.get(pk=episode.pk).is_open
    axe.check(page)
    page.set_viewport_size(PHONE)  # decided at the bedside too: nothing scrolls sideways
    assert sideways_overflow(page) == ""
    page.locator(f"#decide-{bup.pk}").get_by_label("Continued after discharge").check()
    page.get_by_role("button", name="Confirm discharge").click()
    # Named who continues? Not yet, and ondansetron undecided: both said beside their orders.
    expect(page.locator(f"#decide-{bup.pk}")).to_contain_text("Name who continues Buprenorphine SL tablet")
    expect(page.locator(f"#decide-{nausea.pk}")).to_contain_text("Say whether Ondansetron is stopped or continued.")
    axe.check(page)
    page.locator(f"#decide-{bup.pk}").get_by_label("Continued by (receiving prescriber or program)").fill(
        "Dr Rowan, Synthetic Recovery Clinic"
    )
    page.locator(f"#decide-{nausea.pk}").get_by_label("Stopped at discharge").check()
    page.get_by_role("button", name="Confirm discharge").click()
    expect(page.get_by_text("Follow-up calls are booked.")).to_be_visible()

    assert MedicationRequest.objects.get(pk=nausea.pk).stopped_at is not None
    assert DischargeMedication.objects.get(order=bup).continued_by == "Dr Rowan, Synthetic Recovery Clinic"

    with page.expect_download() as download:
        page.get_by_role("link", name="Discharge summary (PDF)").click()
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "discharge-summary.pdf"
    download.value.save_as(target)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    for expected in (
        "Opioid use disorder, severe (DSM-5) · ICD-10-CM F11.20",  # diagnosis
        "Buprenorphine SL tablet 8 mg",  # the medication the patient leaves on, with its dose
        "Dr Rowan, Synthetic Recovery Clinic",
        "Stopped at discharge: Ondansetron 4 mg",
        "Discharging clinician: Phil Examplewright, Physician",  # author
        "Signature",
        "Synthetic Detox Unit",  # facility
        "1 Synthetic Way, Sampletown",
        "555-0100",
        "Completed: Stable on buprenorphine; continues with the clinic",  # reason for discharge
    ):
        assert expected in text, expected


def test_the_counselor_sees_the_calls_coming_up_by_day(page, live_server, stay):
    episode = stay["episode"]
    aftercare.discharge(
        User.objects.get(username="phil"),
        episode,
        DischargeType.COMPLETED,
        reason="done",
        now=timezone.now(),
        address=None,
        orders={
            stay["bup"].pk: aftercare.OrderDecision("stopped"),
            stay["nausea"].pk: aftercare.OrderDecision("stopped"),
        },
    )
    sign_in(page, live_server.url, "cora")
    page.get_by_role("link", name="Follow-up").click()
    expect(page.get_by_role("heading", name="Coming up (next 14 days)")).to_be_visible()
    day_two = timezone.localdate() + dt.timedelta(days=2)
    heading = f"{day_two:%a} {day_two.day} {day_two:%b %Y}"  # the product's one date format: "Sat 28 Nov 2026"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("table", name=heading)).to_contain_text("Sampleton")
    expect(page.locator("main")).to_contain_text("Day 7")
