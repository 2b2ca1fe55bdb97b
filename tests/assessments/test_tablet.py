"""Tablet self-report: started only by the nurse's button (POST, CSRF-checked), never by opening a link; while the
patient holds the tablet, nothing of the staff screens shows."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from detoxflow.accounts.permissions import Role
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.scales import SOWS
from detoxflow.episodes import services as episode_services
from tests.builders import stabilized_episode
from tests.factories import PatientFactory

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
ANSWERS = {f"item_{item.key}": 1 for item in SOWS.items}
STAFF_ONLY = ('aria-label="Main"', "Sign out", 'class="who"', "Units</a>")


@pytest.fixture
def episode(staff, patient, beds):
    with time_machine.travel(T0, tick=False):
        return stabilized_episode(staff[Role.PHYSICIAN], patient, beds[0], T0)


@pytest.fixture
def nurse(client_as):
    return client_as(Role.NURSE)


def start(nurse, episode):
    return nurse.post(f"/episodes/{episode.pk}/self-report/", {"start": "1"})


def test_opening_the_tablet_link_changes_nothing(nurse, episode):
    page = nurse.get(f"/episodes/{episode.pk}/self-report/")
    assert page.status_code == 200
    assert b"Start tablet mode" in page.content
    assert b'<form method="post">' in page.content
    assert "tablet" not in nurse.session
    assert not AuditEvent.objects.filter(action="tablet.start").exists()
    # The nurse can still go anywhere: a prefetch or a link checker cannot lock the session.
    assert nurse.get(f"/patients/{episode.patient_id}/").status_code == 200


def test_the_start_button_locks_the_session_to_the_scale(nurse, episode):
    started = start(nurse, episode)
    assert started["Location"] == f"/episodes/{episode.pk}/self-report/"
    assert nurse.session["tablet"] == {"episode": episode.pk, "state": "open"}
    event = AuditEvent.objects.get(action="tablet.start")
    assert (event.episode_id, event.patient_id) == (episode.pk, episode.patient_id)
    assert nurse.get(f"/patients/{episode.patient_id}/")["Location"] == f"/episodes/{episode.pk}/self-report/"
    assert b"How do you feel right now?" in nurse.get(f"/episodes/{episode.pk}/self-report/").content


def test_starting_needs_the_csrf_token(staff, episode):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff[Role.NURSE])
    refused = client.post(f"/episodes/{episode.pk}/self-report/", {"start": "1"})
    assert refused.status_code == 403
    assert "tablet" not in client.session


def test_the_scale_and_the_thank_you_page_show_nothing_of_the_staff_screens(staff, nurse, episode):
    hidden = (*STAFF_ONLY, staff[Role.NURSE].display_name, episode.patient.mrn)
    start(nurse, episode)
    scale = nurse.get(f"/episodes/{episode.pk}/self-report/").content.decode()
    assert "How do you feel right now?" in scale
    for staff_only in hidden:
        assert staff_only not in scale, staff_only
    done = nurse.post(f"/episodes/{episode.pk}/self-report/", ANSWERS, follow=True).content.decode()
    assert "Thank you." in done
    for staff_only in hidden:
        assert staff_only not in done, staff_only


def test_the_staff_page_before_the_hand_over_keeps_the_staff_menu(staff, nurse, episode):
    page = nurse.get(f"/episodes/{episode.pk}/self-report/").content.decode()
    for shown in (*STAFF_ONLY, staff[Role.NURSE].display_name, episode.patient.mrn):
        assert shown in page, shown


def test_answers_sent_outside_tablet_mode_are_not_saved(nurse, episode):
    response = nurse.post(f"/episodes/{episode.pk}/self-report/", ANSWERS)
    assert response.status_code == 400
    assert b"Nothing was saved: tablet mode is not on." in response.content
    assert not WithdrawalAssessment.objects.exists()
    assert "tablet" not in nurse.session


def test_after_the_unlock_the_tablet_link_asks_again(nurse, episode):
    start(nurse, episode)
    nurse.post(f"/episodes/{episode.pk}/self-report/", ANSWERS)
    assert nurse.post("/tablet/locked/", {"password": "correct horse battery"})["Location"] == "/"
    page = nurse.get(f"/episodes/{episode.pk}/self-report/")
    assert b"Start tablet mode" in page.content
    assert WithdrawalAssessment.objects.get().self_reported


def test_a_pre_admission_episode_is_not_handed_over(staff, nurse, facility):
    episode = episode_services.open_episode(
        staff[Role.PHYSICIAN], PatientFactory(facility=facility), reason="phone screen", now=T0, address=None
    )
    page = nurse.get(f"/episodes/{episode.pk}/self-report/")
    assert b"Withdrawal is charted from intake to discharge; this episode is pre-admission." in page.content
    assert b"Start tablet mode" not in page.content
    refused = start(nurse, episode)
    assert refused.status_code == 400
    assert "tablet" not in nurse.session


def test_a_role_that_does_not_chart_cannot_start_tablet_mode(client_as, episode):
    coordinator = client_as(Role.INTAKE_COORDINATOR)
    assert start(coordinator, episode).status_code == 403
    assert "tablet" not in coordinator.session
