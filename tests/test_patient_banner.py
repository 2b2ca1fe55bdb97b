"""The patient banner: on every screen about one patient, built in the user's scope, in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.assessments import services as assessments
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.scales.cows import COWS
from detoxflow.episodes import services as episode_services
from detoxflow.facilities.models import RuleOverride
from detoxflow.intake.models import IntakeAssessment
from detoxflow.patients.models import Allergy
from detoxflow.web.banner import banner_for_path
from tests.builders import signed_order, stabilized_episode
from tests.factories import PatientFactory, UnitFactory, UserFactory

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def episode(staff, patient, beds):
    return stabilized_episode(staff[Role.PHYSICIAN], patient, beds[0], NOW, last_heroin=NOW - dt.timedelta(hours=14))


def chart_cows(nurse, episode, total_pulse: int = 2, *, at: dt.datetime = NOW, sedation: str = "") -> None:
    answers = {item.key: 0 for item in COWS.items} | {"pulse": total_pulse}
    vitals = {"heart_rate": 96, "sedation": sedation} if sedation else {"heart_rate": 96}
    assessments.record_assessment(nurse, episode, "COWS", answers, vitals, now=at, address=None)


def test_the_banner_says_who_where_and_what_matters_now(staff, episode):
    nurse = staff[Role.NURSE]
    episode_services.assign_care_team(staff[Role.PHYSICIAN], episode, [nurse], address=None)
    chart_cows(nurse, episode, at=NOW - dt.timedelta(hours=1))
    banner = banner_for_path(nurse, {"episode_id": episode.pk}, now=NOW + dt.timedelta(days=2))
    assert banner is not None
    patient = episode.patient
    assert (banner.name, banner.record_number, banner.age) == (
        patient.full_name,
        patient.mrn,
        patient.age_on(timezone.localdate(NOW + dt.timedelta(days=2))),
    )
    assert banner.bed == f"{episode.bed.unit.name} {episode.bed.label}"
    assert banner.stage == "Stabilization"
    assert banner.day_of_stay == 3
    assert banner.detox_method == "Inpatient, 24/7 medically monitored · Buprenorphine-assisted"
    assert banner.last_assessment.startswith("COWS 2 (")
    assert banner.last_assessment_at == NOW - dt.timedelta(hours=1)
    assert [(m.name, m.role) for m in banner.care_team] == [(nurse.display_name, "Nurse")]
    # Two days after a COWS, the next one is long overdue: the banner raises it in words.
    assert banner.assessment_overdue
    assert any(a.startswith("Assessment overdue since") for a in banner.alerts)


def test_allergies_read_as_a_list_no_known_allergies_or_not_asked(staff, episode):
    nurse = staff[Role.NURSE]
    patient = episode.patient
    banner = banner_for_path(nurse, {"patient_id": patient.pk}, now=NOW)
    assert banner is not None
    assert banner.allergies_not_asked
    assert "Allergies not yet asked" in banner.alerts

    patient.no_known_allergies_at, patient.no_known_allergies_by_name = NOW, nurse.display_name
    patient.save()
    banner = banner_for_path(nurse, {"patient_id": patient.pk}, now=NOW)
    assert banner is not None
    assert (banner.no_known_allergies, banner.allergies_not_asked, banner.allergies) == (True, False, [])
    assert "Allergies not yet asked" not in banner.alerts

    Allergy.objects.create(facility=patient.facility, patient=patient, substance="Penicillin", reaction="rash")
    banner = banner_for_path(nurse, {"patient_id": patient.pk}, now=NOW)
    assert banner is not None
    assert (banner.allergies, banner.no_known_allergies) == (["Penicillin"], False)


def test_alerts_come_from_the_intake_and_the_last_assessment_in_words(staff, episode):
    nurse = staff[Role.NURSE]
    IntakeAssessment.objects.filter(episode=episode).update(
        pregnancy="yes", suicide_risk="active_no_plan", seizure_history=True, last_qtc_ms=470
    )
    chart_cows(nurse, episode, total_pulse=4, sedation="3")
    banner = banner_for_path(nurse, {"episode_id": episode.pk}, now=NOW)
    assert banner is not None
    assert "Pregnant" in banner.alerts
    assert "Suicide risk: Active thoughts, no plan" in banner.alerts
    assert "History of seizures" in banner.alerts
    assert "QTc 470 ms (above 450)" in banner.alerts
    assert any(a.startswith("Sedation: ") for a in banner.alerts)
    assert not any("_" in alert for alert in banner.alerts)  # words, never codes


def test_the_qtc_alert_follows_the_facilitys_own_warning_level(staff, episode):
    IntakeAssessment.objects.filter(episode=episode).update(last_qtc_ms=470)
    RuleOverride.objects.create(
        facility=episode.facility,
        rule_set="dose_safety",
        values={"qtc_warn_above": 480},
        reason="cardiology advice",
        changed_at=NOW,
        changed_by_name="Manon Manager",
    )
    banner = banner_for_path(staff[Role.NURSE], {"episode_id": episode.pk}, now=NOW)
    assert banner is not None
    assert not any(a.startswith("QTc") for a in banner.alerts)


def test_an_order_page_shows_its_patient(staff, episode):
    order = signed_order(staff[Role.PHYSICIAN], episode, "ondansetron", "as_needed", 4, 8, 24, 480, NOW)
    banner = banner_for_path(staff[Role.NURSE], {"order_id": order.pk}, now=NOW)
    assert banner is not None
    assert banner.episode_id == episode.pk


def test_no_banner_outside_the_users_scope(staff, episode, other_facility):
    elsewhere = UserFactory(username="olga", role=Role.NURSE, facility=other_facility)
    assert banner_for_path(elsewhere, {"episode_id": episode.pk}, now=NOW) is None
    assert banner_for_path(elsewhere, {"patient_id": episode.patient_id}, now=NOW) is None
    other_unit = UnitFactory(facility=episode.facility, name="South", code="south")
    south_nurse = UserFactory(username="sam", role=Role.NURSE, facility=episode.facility, unit=other_unit)
    assert banner_for_path(south_nurse, {"episode_id": episode.pk}, now=NOW) is None
    assert banner_for_path(staff[Role.NURSE], {"unit_id": episode.unit_id}, now=NOW) is None  # not a patient page


def test_a_patient_without_an_open_episode_still_has_a_banner(staff, facility):
    patient = PatientFactory(facility=facility, mrn="SYN-000777")
    banner = banner_for_path(staff[Role.NURSE], {"patient_id": patient.pk}, now=NOW)
    assert banner is not None
    assert (banner.stage, banner.bed, banner.day_of_stay, banner.episode_id) == ("No open episode", "", None, None)


def test_the_banner_costs_the_same_queries_however_long_the_record(staff, episode, django_assert_max_num_queries):
    nurse = staff[Role.NURSE]
    for n in range(5):
        chart_cows(nurse, episode, at=NOW - dt.timedelta(hours=n + 1))
        Allergy.objects.create(facility=episode.facility, patient=episode.patient, substance=f"Synthetic {n}")
    with django_assert_max_num_queries(8):
        banner = banner_for_path(nurse, {"episode_id": episode.pk}, now=NOW)
    assert banner is not None
    assert len(banner.allergies) == 5


@pytest.mark.parametrize("screen", ["patient", "mar", "chart-assessment"])
def test_patient_screens_show_the_banner(client_as, episode, screen):
    kwargs = {"patient_id": episode.patient_id} if screen == "patient" else {"episode_id": episode.pk}
    response = client_as(Role.NURSE).get(reverse(screen, kwargs=kwargs))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="patient-banner"') == 1
    assert episode.patient.full_name in html
    assert episode.patient.mrn in html


def test_pages_about_no_one_patient_and_refusals_show_no_banner(client_as, staff, episode, other_facility):
    census = client_as(Role.NURSE).get(reverse("census", kwargs={"unit_id": episode.unit_id}))
    assert census.status_code == 200
    assert 'class="patient-banner"' not in census.content.decode()
    staff[Role.NURSE].facility = other_facility
    staff[Role.NURSE].save()
    refused = client_as(Role.NURSE).get(reverse("mar", kwargs={"episode_id": episode.pk}))
    assert refused.status_code in (403, 404)
    assert episode.patient.family_name not in refused.content.decode()


def test_no_known_allergies_is_an_answer_recorded_from_the_patient_page(client_as, staff, episode):
    patient = episode.patient
    nurse = client_as(Role.NURSE)
    page = nurse.get(reverse("patient", kwargs={"patient_id": patient.pk})).content.decode()
    assert "Not asked yet" in page
    assert nurse.post(reverse("no-known-allergies", kwargs={"patient_id": patient.pk})).status_code == 302
    patient.refresh_from_db()
    assert (patient.no_known_allergies_at is not None, patient.no_known_allergies_by_name) == (
        True,
        staff[Role.NURSE].display_name,
    )
    page = nurse.get(reverse("mar", kwargs={"episode_id": episode.pk})).content.decode()
    assert "No known allergies" in page
    assert AuditEvent.objects.filter(action="allergy.none_known", patient_id=patient.pk).exists()

    # An allergy found later replaces the answer; "no known allergies" cannot then be said over it.
    nurse.post(reverse("add-allergy", kwargs={"patient_id": patient.pk}), {"substance": "Latex", "reaction": ""})
    patient.refresh_from_db()
    assert patient.no_known_allergies_at is None
    refused = nurse.post(reverse("no-known-allergies", kwargs={"patient_id": patient.pk}))
    assert refused.status_code == 400
    assert "would contradict them" in refused.content.decode()
    patient.refresh_from_db()
    assert patient.no_known_allergies_at is None
