"""Episode screens: the stage form answers a refused move inline, over htmx or plain POST."""

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.episodes import services
from detoxflow.episodes.models import Episode
from tests.factories import PatientFactory


@pytest.fixture
def episode(staff, patient):
    return services.open_episode(staff[Role.PHYSICIAN], patient, reason="call", now=patient.created_at, address=None)


def _arrived(staff, episode):
    return services.record_arrival(
        staff[Role.NURSE], episode.pk, bed=None, arrived_at=episode.opened_at, now=episode.opened_at, address=None
    )


def test_stage_change_over_htmx_redirects_to_the_record(client_as, staff, episode):
    _arrived(staff, episode)
    response = client_as(Role.PHYSICIAN).post(
        f"/episodes/{episode.pk}/stage/",
        {"stage": "discharged", "discharge_type": "administrative", "reason": "referred elsewhere"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].endswith(f"/patients/{episode.patient_id}/")
    assert Episode.objects.get(pk=episode.pk).stage == "discharged"


def test_a_move_the_table_does_not_offer_is_refused_on_the_stage_field(client_as, episode):
    response = client_as(Role.NURSE).post(f"/episodes/{episode.pk}/stage/", {"stage": "tapering", "reason": "x"})
    assert response.status_code == 400
    assert "stage" in response.context["stage_form"].errors


def test_a_missing_precondition_is_explained_inline(client_as, staff, episode):
    nurse = client_as(Role.NURSE)
    _arrived(staff, episode)
    response = nurse.post(f"/episodes/{episode.pk}/stage/", {"stage": "stabilization", "reason": "go"})
    assert response.status_code == 400
    assert "a detox method (care setting) must be chosen first" in response.content.decode()
    assert Episode.objects.get(pk=episode.pk).stage == "evaluation"


def test_assigning_a_taken_bed_shows_which_bed(client_as, staff, episode, beds, facility):
    other = services.open_episode(
        staff[Role.PHYSICIAN], PatientFactory(facility=facility), reason="x", now=episode.opened_at, address=None
    )
    services.assign_bed(staff[Role.NURSE], other, beds[0], address=None)
    response = client_as(Role.NURSE).post(f"/episodes/{episode.pk}/bed/", {"bed": beds[0].pk})
    assert response.status_code == 400
    assert f"Bed {beds[0]} is already occupied." in response.context["form"].errors["bed"]


def test_care_team_form_is_audited_and_saves(client_as, episode, staff):
    manager = client_as(Role.UNIT_MANAGER)
    assert "Nurse" in manager.get(f"/episodes/{episode.pk}/care-team/").content.decode()
    assert AuditEvent.objects.filter(action="episode.view", episode_id=episode.pk, user_name="manon").exists()
    manager.post(f"/episodes/{episode.pk}/care-team/", {"care_team": [staff[Role.COUNSELOR].pk]})
    assert list(Episode.objects.get(pk=episode.pk).care_team.all()) == [staff[Role.COUNSELOR]]


def test_care_team_form_refuses_a_non_clinician_on_its_field(client_as, episode, staff):
    response = client_as(Role.UNIT_MANAGER).post(
        f"/episodes/{episode.pk}/care-team/", {"care_team": [staff[Role.UNIT_MANAGER].pk]}
    )
    assert response.status_code == 400
    assert "is not a clinician at this facility" in response.context["form"].errors["care_team"][0]
