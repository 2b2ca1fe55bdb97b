"""Aftercare plan, discharge checklist by type, discharge documents as PDFs, follow-up calls, outcomes."""

import datetime as dt
import io

import pytest
import time_machine
from django.utils.http import parse_header_parameters
from pypdf import PdfReader

from detoxflow.accounts.permissions import Role
from detoxflow.aftercare import services
from detoxflow.aftercare.models import FollowUpTask
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.stages import DischargeType
from detoxflow.directory.models import Resource
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from detoxflow.patients.models import Patient
from tests.builders import ready_for_discharge

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def na_group(facility):
    return Resource.objects.create(
        facility=facility,
        kind="support_group",
        name="Synthetic NA Night Group",
        address="2 Sample St",
        phone="555-0112",
        hours_text="24/7",
    )


def pdf_text(content):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_naltrexone_waits_for_the_opioid_free_interval(staff, episode):
    counselor = staff[Role.COUNSELOR]
    with pytest.raises(InvalidInput) as refused:
        services.add_item(
            counselor,
            episode,
            "naltrexone_xr",
            resource=None,
            appointment_at=dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC),
            detail="",
            address=None,
        )
    assert refused.value.field == "appointment_at"
    assert "cannot start before Fri 27 Nov 2026" in refused.value.message
    item = services.add_item(
        counselor,
        episode,
        "naltrexone_xr",
        resource=None,
        appointment_at=dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC),
        detail="",
        address=None,
    )
    assert item.earliest_start == dt.date(2026, 11, 27)


def test_a_planned_discharge_needs_the_whole_checklist(staff, episode, na_group):
    physician = staff[Role.PHYSICIAN]
    with pytest.raises(InvalidInput) as refused:
        services.discharge(physician, episode, DischargeType.COMPLETED, reason="done", now=T0, address=None)
    assert "naloxone offered" in refused.value.message
    assert "aftercare plan reviewed with the patient" in refused.value.message
    assert Episode.objects.get(pk=episode.pk).stage == "stabilization"


def test_against_advice_needs_only_naloxone_and_education(staff, episode):
    physician = staff[Role.PHYSICIAN]
    services.update_checklist(
        staff[Role.NURSE],
        episode,
        {
            "naloxone": "declined",
            "naloxone_decline_reason": "left before the kit was ready",
            "overdose_education": True,
            "medications_reconciled": False,
        },
        address=None,
    )
    with time_machine.travel(T0, tick=False):
        done = services.discharge(
            physician, episode, DischargeType.AGAINST_MEDICAL_ADVICE, reason="Left against advice", now=T0, address=None
        )
    assert done.discharge_type == "against_medical_advice"
    assert [t.day for t in FollowUpTask.objects.filter(episode=episode)] == [2, 7, 30]


def test_declining_naloxone_needs_a_reason(staff, episode):
    with pytest.raises(InvalidInput) as refused:
        services.update_checklist(
            staff[Role.NURSE],
            episode,
            {
                "naloxone": "declined",
                "naloxone_decline_reason": "",
                "overdose_education": True,
                "medications_reconciled": True,
            },
            address=None,
        )
    assert refused.value.field == "naloxone_decline_reason"


def test_the_stage_form_cannot_skip_the_checklist(client_as, episode):
    response = client_as(Role.PHYSICIAN).post(
        f"/episodes/{episode.pk}/stage/",
        {"stage": "discharged", "discharge_type": "against_medical_advice", "reason": "left"},
    )
    assert response.status_code == 400
    assert "naloxone offered" in response.content.decode()


def test_completed_discharge_and_documents(client_as, staff, episode, na_group):
    ready_for_discharge(staff, episode, T0, resource=na_group, reason="Stable; maintenance chosen")
    physician = client_as(Role.PHYSICIAN)
    with time_machine.travel(T0, tick=False):  # one working session: idle sign-out does not interfere
        physician.post(f"/episodes/{episode.pk}/discharge/", {"discharge_type": "completed", "reason": "Plan in place"})
        handout = physician.get(f"/episodes/{episode.pk}/documents/handout.pdf")
        summary = pdf_text(physician.get(f"/episodes/{episode.pk}/documents/summary.pdf").content)
    assert Episode.objects.get(pk=episode.pk).discharge_type == "completed"
    assert handout["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(handout.content)).pages) <= 2
    text = pdf_text(handout.content)
    for expected in (
        "Your plan after detox",
        "Synthetic NA Night Group",
        "988",
        "1-800-662-4357",
        "call 911",
        "tolerance",
    ):
        assert expected in text, expected
    assert "Discharge summary" in summary
    assert "42 CFR part 2" in summary
    assert AuditEvent.objects.filter(action="export.handout_pdf", episode_id=episode.pk).exists()


def test_follow_up_calls_are_listed_and_recorded(client_as, staff, episode, na_group):
    ready_for_discharge(staff, episode, T0, resource=na_group, reason="Stable; maintenance chosen")
    with time_machine.travel(T0, tick=False):
        services.discharge(staff[Role.PHYSICIAN], episode, DischargeType.COMPLETED, reason="done", now=T0, address=None)
    counselor = client_as(Role.COUNSELOR)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        tasks = counselor.get("/follow-ups/").context["tasks"]
        assert [t.day for t in tasks] == [2]
        counselor.post(f"/follow-ups/{tasks[0].pk}/", {"outcome": "in_treatment", "note": "went to group"})
        assert counselor.get("/follow-ups/").context["tasks"] == []


def test_a_document_for_a_patient_whose_stored_mrn_holds_crlf_and_a_quote_downloads_under_a_safe_name(
    client_as, staff, episode, na_group
):
    """Such a number (stored before the character rule) made this PDF answer 500 every time: header injection."""
    Patient.objects.filter(pk=episode.patient_id).update(mrn='SYN"1\r\nX-Injected: yes')
    with time_machine.travel(T0, tick=False):
        response = client_as(Role.PHYSICIAN).get(f"/episodes/{episode.pk}/documents/summary.pdf")
    assert response.status_code == 200
    assert "X-Injected" not in response.headers
    disposition, params = parse_header_parameters(response["Content-Disposition"])
    assert (disposition, params["filename"]) == ("attachment", 'summary-SYN"1X-Injected: yes.pdf')
    assert 'filename="summary-SYN_1X-Injected_yes.pdf"' in response["Content-Disposition"]
