"""Discharge with orders still active, and papers a receiving clinician can use: the summary and the handout."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import time_machine
from pypdf import PdfReader

from detoxflow.accounts.permissions import Role
from detoxflow.aftercare import services
from detoxflow.aftercare.documents import _context, render_html
from detoxflow.aftercare.models import DischargeMedication
from detoxflow.aftercare.services import OrderDecision
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.stages import DischargeType, Stage
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.facilities.models import Facility, Unit
from detoxflow.intake.models import IntakeAssessment
from detoxflow.medications import services as medications
from detoxflow.medications import tapering
from detoxflow.medications.models import MedicationAdministration, MedicationRequest
from tests.builders import ready_for_discharge

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)  # Fri 20 Nov, 09:00 in New York
BUP = "Buprenorphine SL tablet"
LONG_SOURCE = (
    "Buprenorphine induction (symptom-triggered), facility protocol v3 after the published default of the "
    "medical director, reviewed with pharmacy"
)


def sign(physician, episode, code, dose, *, kind="as_needed", built_from="Written by hand", at=T0):
    limits = {
        "buprenorphine_sl": (Decimal(8), Decimal(16), 600),
        "ondansetron": (Decimal(8), Decimal(24), 480),
    }[code]
    return medications.sign_order(
        physician,
        episode,
        {
            "medicine_code": code,
            "kind": kind,
            "dose_mg": Decimal(dose),
            "min_interval_minutes": limits[2],
            "single_dose_max_mg": limits[0],
            "daily_max_mg": limits[1],
        },
        built_from=built_from,
        starts_at=at,
        now=at,
        address=None,
    )


def given(order, at, mg):
    """A dose on the MAR as the round recorded it (the MAR's own writer is tested in tests/medications)."""
    return MedicationAdministration.objects.create(
        facility_id=order.facility_id,
        episode=order.episode,
        order=order,
        status="given",
        dose_mg=mg,
        at=at,
        by_name="x",
    )


@pytest.fixture
def stay(staff, episode):
    """Four days on the unit: buprenorphine on a taper still running at discharge, and ondansetron."""
    physician = staff[Role.PHYSICIAN]
    Facility.objects.filter(pk=episode.facility_id).update(address="1 Synthetic Way, Sampletown", main_phone="555-0100")
    Unit.objects.filter(pk=episode.unit_id).update(phone="555-0150")
    IntakeAssessment.objects.filter(episode=episode).update(
        oud_icd10="F11.20",
        dsm5_criteria=["craving", "tolerance", "withdrawal", "time_spent", "role_failure", "social_problems"],
    )
    with time_machine.travel(T0, tick=False):
        bup = sign(physician, episode, "buprenorphine_sl", 8, built_from=LONG_SOURCE)
        nausea = sign(physician, episode, "ondansetron", 4)
        tapering.record_maintenance_offer(physician, episode, "taper", "chose to taper", now=T0, address=None)
        tapering.plan_taper(
            physician,
            bup,
            {
                "method": "linear",
                "start_mg": Decimal(8),
                "step": Decimal(2),
                "step_days": 1,
                "floor_mg": Decimal(0),
                "start_date": dt.date(2026, 11, 21),
            },
            reason="patient chose to taper",
            now=T0,
            address=None,
        )
    given(bup, T0 + dt.timedelta(hours=1), Decimal(8))  # Fri: induction
    given(bup, T0 + dt.timedelta(days=1), Decimal(8))  # Sat: taper day 1, 8 mg planned
    given(bup, T0 + dt.timedelta(days=2), Decimal(4))  # Sun: 6 mg planned, 2+2 given
    given(bup, T0 + dt.timedelta(days=2, hours=6), Decimal(2))
    given(nausea, T0 + dt.timedelta(days=2, hours=1), Decimal(4))
    ready_for_discharge(staff, episode, T0)
    return {"bup": bup, "nausea": nausea, "leaving": T0 + dt.timedelta(days=3)}  # Mon 23 Nov: taper runs to Thu


def pdf_text(content):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


# ---- What happens to each order ------------------------------------------------------------------------------


def test_a_discharge_with_active_orders_needs_a_decision_for_each(staff, episode, stay):
    physician = staff[Role.PHYSICIAN]
    with pytest.raises(InvalidInput) as refused:
        services.discharge(
            physician, episode, DischargeType.COMPLETED, reason="done", now=stay["leaving"], address=None
        )
    assert {field for field, _ in refused.value.field_errors} == {
        f"order-{stay['bup'].pk}",
        f"order-{stay['nausea'].pk}",
    }
    assert "Say whether Buprenorphine" in refused.value.message
    with pytest.raises(InvalidInput) as unnamed:
        services.discharge(
            physician,
            episode,
            DischargeType.COMPLETED,
            reason="done",
            now=stay["leaving"],
            address=None,
            orders={stay["bup"].pk: OrderDecision("continued", "  "), stay["nausea"].pk: OrderDecision("stopped")},
        )
    assert unnamed.value.field == f"continued_by-{stay['bup'].pk}"
    assert Episode.objects.get(pk=episode.pk).stage == Stage.AFTERCARE_PLANNING
    assert MedicationRequest.objects.get(pk=stay["nausea"].pk).stopped_at is None  # nothing half-written


def test_stopped_orders_are_stopped_and_continued_ones_kept_with_who_continues_them(staff, episode, stay):
    physician = staff[Role.PHYSICIAN]
    leaving = stay["leaving"]
    with time_machine.travel(leaving, tick=False):
        services.discharge(
            physician,
            episode,
            DischargeType.COMPLETED,
            reason="Plan in place",
            now=leaving,
            address=None,
            orders={
                stay["bup"].pk: OrderDecision("continued", "Dr Rowan Example, Synthetic Recovery Clinic"),
                stay["nausea"].pk: OrderDecision("stopped"),
            },
        )
    nausea = MedicationRequest.objects.get(pk=stay["nausea"].pk)
    assert nausea.stopped_at == leaving
    assert nausea.stop_reason == "Stopped at discharge (completed): Plan in place"
    assert MedicationRequest.objects.get(pk=stay["bup"].pk).stopped_at is None
    kept = {d.medicine_name: d for d in DischargeMedication.objects.filter(episode=episode)}
    # Mon 23 Nov is the taper's third day: 4 mg, not the order's 8; the taper was planned to Wed 25 Nov.
    assert (kept["Buprenorphine SL tablet"].disposition, kept["Buprenorphine SL tablet"].dose_mg) == (
        "continued",
        Decimal(4),
    )
    assert kept["Buprenorphine SL tablet"].continued_by == "Dr Rowan Example, Synthetic Recovery Clinic"
    assert kept["Buprenorphine SL tablet"].taper_planned_until == dt.date(2026, 11, 25)
    assert (kept["Ondansetron"].disposition, kept["Ondansetron"].taper_planned_until) == ("stopped", None)
    assert AuditEvent.objects.filter(action="order.stop", object_id=str(nausea.pk)).exists()
    assert AuditEvent.objects.get(action="discharge.medications", episode_id=episode.pk).detail["orders"] == {
        str(stay["bup"].pk): "continued",
        str(nausea.pk): "stopped",
    }


def test_only_a_prescriber_decides_what_happens_to_active_orders(staff, episode, stay):
    with pytest.raises(InvalidInput) as refused:
        services.discharge(
            staff[Role.UNIT_MANAGER],
            episode,
            DischargeType.ADMINISTRATIVE,
            reason="left the program",
            now=stay["leaving"],
            address=None,
            orders={stay["bup"].pk: OrderDecision("stopped"), stay["nausea"].pk: OrderDecision("stopped")},
        )
    assert refused.value.field == "orders"
    assert "ask a physician" in refused.value.message
    assert MedicationRequest.objects.filter(episode=episode, stopped_at__isnull=True).count() == 2


def test_the_stage_form_sends_a_discharge_with_active_orders_to_the_aftercare_page(staff, episode, stay):
    with pytest.raises(InvalidInput) as refused:
        services.move_episode(
            staff[Role.PHYSICIAN],
            episode,
            Stage.DISCHARGED,
            reason="done",
            discharge_type=DischargeType.COMPLETED,
            now=stay["leaving"],
            address=None,
        )
    assert refused.value.status_code == 409
    assert "Still active: Buprenorphine SL tablet 4 mg, Ondansetron 4 mg" in refused.value.message
    assert "Aftercare & discharge page" in refused.value.message


def test_the_api_discharges_with_a_decision_for_each_active_order(client_as, staff, episode, stay):
    physician = client_as(Role.PHYSICIAN)
    url = f"/api/episodes/{episode.pk}/transitions"
    body = {"stage": "discharged", "reason": "done", "discharge_type": "completed"}
    with time_machine.travel(stay["leaving"], tick=False):
        asked = physician.post(url, json.dumps(body), content_type="application/json")
        assert asked.status_code == 409
        half = body | {"orders": [{"order_id": stay["bup"].pk, "disposition": "continued", "continued_by": ""}]}
        refused = physician.post(url, json.dumps(half), content_type="application/json")
        assert refused.status_code == 400
        assert "Name who continues" in refused.content.decode()
        assert Episode.objects.get(pk=episode.pk).discharged_at is None
        decided = body | {
            "orders": [
                {"order_id": stay["bup"].pk, "disposition": "continued", "continued_by": "Synthetic OTP clinic"},
                {"order_id": stay["nausea"].pk, "disposition": "stopped"},
            ]
        }
        done = physician.post(url, json.dumps(decided), content_type="application/json")
    assert done.status_code == 201, done.content
    assert done.json()["stage"] == "discharged"
    assert MedicationRequest.objects.get(pk=stay["nausea"].pk).stopped_at is not None
    assert MedicationRequest.objects.get(pk=stay["bup"].pk).stopped_at is None  # continued by the clinic


def test_the_discharge_page_asks_first_then_discharges_on_confirmation(client_as, staff, episode, stay):
    physician = client_as(Role.PHYSICIAN)
    bup, nausea = stay["bup"], stay["nausea"]
    with time_machine.travel(stay["leaving"], tick=False):
        page = physician.get(f"/episodes/{episode.pk}/aftercare/").content.decode()
        assert "Discharging asks what happens to each order" in page
        asked = physician.post(f"/episodes/{episode.pk}/discharge/", {"discharge_type": "completed", "reason": "Done"})
        assert asked.status_code == 200
        text = asked.content.decode()
        assert "Orders still active" in text
        assert "taper unfinished" in text
        assert "planned until Wed 25 Nov 2026" in text
        assert Episode.objects.get(pk=episode.pk).is_open
        confirm = {"discharge_type": "completed", "reason": "Done", "confirm": "orders"}
        missing = physician.post(f"/episodes/{episode.pk}/discharge/", confirm | {f"order-{bup.pk}": "continued"})
        assert missing.status_code == 400
        assert "Name who continues Buprenorphine" in missing.content.decode()
        assert "Say whether Ondansetron is stopped or continued." in missing.content.decode()
        done = physician.post(
            f"/episodes/{episode.pk}/discharge/",
            confirm
            | {
                f"order-{bup.pk}": "continued",
                f"continued_by-{bup.pk}": "Synthetic Recovery Clinic",
                f"order-{nausea.pk}": "stopped",
            },
        )
    assert done.status_code == 302
    assert Episode.objects.get(pk=episode.pk).discharge_type == "completed"
    assert DischargeMedication.objects.filter(episode=episode).count() == 2


def test_an_order_signed_after_the_confirmation_page_is_not_discharged_undecided(client_as, staff, episode, stay):
    physician = client_as(Role.PHYSICIAN)
    bup, nausea = stay["bup"], stay["nausea"]
    with time_machine.travel(stay["leaving"], tick=False):
        late = sign(staff[Role.PHYSICIAN], episode, "ondansetron", 8, kind="scheduled", at=stay["leaving"])
        refused = physician.post(
            f"/episodes/{episode.pk}/discharge/",
            {
                "discharge_type": "completed",
                "reason": "Done",
                "confirm": "orders",
                f"order-{bup.pk}": "stopped",
                f"order-{nausea.pk}": "stopped",
            },
        )
    assert refused.status_code == 400
    assert f'id="decide-{late.pk}"' in refused.content.decode()
    assert Episode.objects.get(pk=episode.pk).is_open
    assert MedicationRequest.objects.filter(episode=episode, stopped_at__isnull=True).count() == 3


def test_the_confirmation_refuses_a_checklist_not_done_before_asking_about_orders(client_as, staff, episode):
    with time_machine.travel(T0, tick=False):
        sign(staff[Role.PHYSICIAN], episode, "ondansetron", 4)
        answer = client_as(Role.PHYSICIAN).post(
            f"/episodes/{episode.pk}/discharge/", {"discharge_type": "completed", "reason": "Done"}
        )
    assert answer.status_code == 400
    assert "naloxone offered" in answer.content.decode()
    assert "Orders still active" not in answer.content.decode()


# ---- The papers ------------------------------------------------------------------------------------------------


def discharged(staff, episode, stay):
    leaving = stay["leaving"]
    with time_machine.travel(leaving, tick=False):
        services.discharge(
            staff[Role.PHYSICIAN],
            episode,
            DischargeType.TRANSFER_TO_HIGHER_LEVEL,
            reason="Chest pain; sent to the emergency department",
            now=leaving,
            address=None,
            orders={
                stay["bup"].pk: OrderDecision("continued", "Synthetic General Hospital ED"),
                stay["nausea"].pk: OrderDecision("stopped"),
            },
        )


def test_the_summary_carries_what_a_receiving_clinician_needs(client_as, staff, episode, stay):
    discharged(staff, episode, stay)
    with time_machine.travel(stay["leaving"] + dt.timedelta(hours=1), tick=False):
        response = client_as(Role.NURSE).get(f"/episodes/{episode.pk}/documents/summary.pdf")
    text = pdf_text(response.content)
    physician = staff[Role.PHYSICIAN].display_name
    for expected in (
        "Synthetic Detox Unit",
        "1 Synthetic Way, Sampletown",
        "Phone 555-0100",
        "Opioid use disorder, severe (DSM-5) · ICD-10-CM F11.20",
        "Transfer to higher level of care: Chest pain; sent to the emergency department",
        "Buprenorphine SL tablet 4 mg",  # the dose of the day of discharge, from the taper
        "Synthetic General Hospital ED",
        "taper unfinished, planned until Wed 25 Nov 2026",
        "Stopped at discharge: Ondansetron 4 mg",
        LONG_SOURCE,  # "Built from" whole, not cut off
        f"Discharging clinician: {physician}, Physician",
        "Signature",
        "42 CFR part 2",
    ):
        assert expected in text, expected
    assert "Active" not in text  # nothing reads active on the papers of a finished stay
    assert "Draft" not in text


def test_the_summary_gives_the_taper_as_given_day_by_day(staff, episode, stay):
    discharged(staff, episode, stay)
    context = _context(Episode.objects.get(pk=episode.pk), printed_by=staff[Role.NURSE], now=stay["leaving"])
    rows = [
        (d.day_of_stay, d.day.isoformat(), line.medicine, line.given_mg, line.doses, line.planned_mg)
        for d in context["dose_days"]
        for line in d.lines
    ]
    assert rows == [
        (1, "2026-11-20", BUP, Decimal(8), 1, None),
        (2, "2026-11-21", BUP, Decimal(8), 1, Decimal(8)),
        (3, "2026-11-22", BUP, Decimal(6), 2, Decimal(6)),
        (3, "2026-11-22", "Ondansetron", Decimal(4), 1, None),
        (4, "2026-11-23", BUP, Decimal(0), 0, Decimal(4)),  # discharged before the day's dose
    ]


def test_a_summary_printed_before_discharge_is_a_draft_by_the_one_printing(staff, episode, stay):
    with time_machine.travel(stay["leaving"], tick=False):
        html = render_html("aftercare/summary.html", episode, printed_by=staff[Role.NURSE], now=stay["leaving"])
    assert "Draft: the patient is not discharged yet." in html
    assert f"Discharging clinician: <strong>{staff[Role.NURSE].display_name}</strong>, Nurse" in html
    assert "Active" in html  # before discharge an order not stopped is active


def test_a_stopped_order_reads_stopped_with_who_and_why(staff, episode, stay):
    with time_machine.travel(stay["leaving"], tick=False):
        medications.stop_order(
            staff[Role.PHYSICIAN], stay["nausea"], reason="No nausea for 48 h", now=stay["leaving"], address=None
        )
        html = render_html("aftercare/summary.html", episode, printed_by=staff[Role.NURSE], now=stay["leaving"])
    row = html[html.index("<td>Ondansetron</td>") :].split("</tr>")[0]
    assert "Stopped Mon 23 Nov 2026" in row
    assert "No nausea for 48 h" in row
    assert "Active" not in row


def test_the_summary_without_a_diagnosis_says_so(staff, episode):
    IntakeAssessment.objects.filter(episode=episode).update(oud_severity="none", oud_icd10="")
    html = render_html("aftercare/summary.html", episode, printed_by=staff[Role.PHYSICIAN], now=T0)
    assert "No opioid use disorder diagnosis recorded at intake." in html


def test_the_handout_gives_the_units_own_phone(client_as, staff, episode, stay):
    with time_machine.travel(stay["leaving"], tick=False):
        text = pdf_text(client_as(Role.NURSE).get(f"/episodes/{episode.pk}/documents/handout.pdf").content)
    assert "555-0150 — North, the unit you stayed on at Synthetic Detox Unit" in text
    assert "555-0100 — Synthetic Detox Unit, 1 Synthetic Way, Sampletown" in text


def test_the_summary_is_read_in_a_fixed_number_of_queries(django_assert_num_queries, staff, episode, stay):
    discharged(staff, episode, stay)
    episode = Episode.objects.select_related("patient").get(pk=episode.pk)
    nurse = staff[Role.NURSE]
    # plan, checklist, orders, decisions, discharge transition, facility, unit, intake, items, doses, tapers,
    # doses counted, last scores
    with django_assert_num_queries(13):
        render_html("aftercare/summary.html", episode, printed_by=nurse, now=stay["leaving"])


def test_an_episode_discharged_without_orders_still_needs_no_decision(staff, episode):
    ready_for_discharge(staff, episode, T0)
    with time_machine.travel(T0, tick=False):
        done = services.discharge(
            staff[Role.PHYSICIAN], episode, DischargeType.COMPLETED, reason="done", now=T0, address=None
        )
    assert done.discharge_type == "completed"
    assert not DischargeMedication.objects.filter(episode=episode).exists()
