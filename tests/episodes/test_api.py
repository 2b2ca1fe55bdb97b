"""Episode API: the same services and refusals as the screens, with {"field", "message"} bodies."""

import json

import pytest

from detoxflow.accounts.permissions import Role
from detoxflow.episodes.models import Episode
from tests.factories import BedFactory, PatientFactory


def send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def physician(client_as):
    return client_as(Role.PHYSICIAN)


@pytest.fixture
def episode_id(physician, patient):
    return send(physician, "post", "/api/episodes", {"patient_id": patient.pk, "reason": "phone screen"}).json()["id"]


def test_a_stay_through_the_api(physician, client_as, episode_id, beds):
    nurse = client_as(Role.NURSE)
    assert (
        send(
            physician, "post", f"/api/episodes/{episode_id}/transitions", {"stage": "evaluation", "reason": "arrived"}
        ).status_code
        == 201
    )
    assert (
        send(
            physician,
            "put",
            f"/api/episodes/{episode_id}/method",
            {"care_setting": "inpatient", "withdrawal_medication": "buprenorphine"},
        ).status_code
        == 200
    )
    assert send(nurse, "put", f"/api/episodes/{episode_id}/bed", {"bed_id": beds[1].pk}).json()["bed_id"] == beds[1].pk
    body = send(
        physician,
        "post",
        f"/api/episodes/{episode_id}/transitions",
        {"stage": "stabilization", "reason": "intake complete"},
    ).json()
    assert body["stage"] == "stabilization"
    assert [t["to_stage"] for t in body["transitions"]] == ["pre_admission", "evaluation", "stabilization"]
    assert physician.get("/api/episodes?stage=stabilization").json()["count"] == 1


def test_a_move_from_the_wrong_stage_answers_409_naming_both_stages(physician, episode_id):
    response = send(
        physician, "post", f"/api/episodes/{episode_id}/transitions", {"stage": "tapering", "reason": "skip ahead"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["field"] == "stage"
    assert "Cannot move from Pre-admission to Tapering" in body["message"]
    assert Episode.objects.get(pk=episode_id).stage == "pre_admission"


def test_an_unknown_stage_is_named(physician, episode_id):
    response = send(physician, "post", f"/api/episodes/{episode_id}/transitions", {"stage": "detoxing", "reason": "x"})
    assert response.status_code == 422
    assert response.json()["field"] == "stage"


def test_an_unknown_bed_is_named(client_as, episode_id):
    response = send(client_as(Role.NURSE), "put", f"/api/episodes/{episode_id}/bed", {"bed_id": 999999})
    assert response.status_code == 422
    assert response.json() == {"field": "bed_id", "message": "There is no bed 999999 in this facility."}


def test_a_bed_of_another_facility_is_unknown_here(client_as, episode_id, other_facility):
    foreign = BedFactory(unit__facility=other_facility)
    response = send(client_as(Role.NURSE), "put", f"/api/episodes/{episode_id}/bed", {"bed_id": foreign.pk})
    assert response.status_code == 422
    assert Episode.objects.get(pk=episode_id).bed_id is None


def test_a_taken_bed_answers_409(client_as, physician, episode_id, beds, facility):
    other = send(
        physician, "post", "/api/episodes", {"patient_id": PatientFactory(facility=facility).pk, "reason": "walk-in"}
    ).json()["id"]
    nurse = client_as(Role.NURSE)
    send(nurse, "put", f"/api/episodes/{other}/bed", {"bed_id": beds[0].pk})
    response = send(nurse, "put", f"/api/episodes/{episode_id}/bed", {"bed_id": beds[0].pk})
    assert response.status_code == 409
    assert response.json()["field"] == "bed"


def test_a_second_open_episode_answers_409(physician, episode_id, patient):
    response = send(physician, "post", "/api/episodes", {"patient_id": patient.pk, "reason": "again"})
    assert response.status_code == 409
    assert response.json()["field"] == "patient"


def test_openapi_document_lists_the_routes(physician):
    schema = physician.get("/api/openapi.json").json()
    assert "/api/episodes/{episode_id}/transitions" in schema["paths"]
    assert physician.get("/api/docs").status_code == 200


def test_care_team_through_the_api(physician, episode_id, staff):
    nurse = staff[Role.NURSE]
    body = send(physician, "put", f"/api/episodes/{episode_id}/care-team", {"user_ids": [nurse.pk]}).json()
    assert body["care_team"] == [nurse.pk]
    response = send(physician, "put", f"/api/episodes/{episode_id}/care-team", {"user_ids": [nurse.pk, 987654]})
    assert response.status_code == 422
    assert response.json() == {"field": "user_ids", "message": "No staff member 987654 at this facility."}
    assert Episode.objects.get(pk=episode_id).care_team.count() == 1
