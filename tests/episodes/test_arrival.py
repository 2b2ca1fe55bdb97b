"""'Patient arrived': the bed and the arrival time, then evaluation & intake, through the one stage writer."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.stages import Stage
from detoxflow.episodes import services
from detoxflow.episodes.models import Episode
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.facilities.models import Housekeeping
from tests.factories import PatientFactory


@pytest.fixture
def booked(staff, patient, beds):
    """A pre-admission episode holding bed N01, opened two hours ago: a booking waiting for the patient."""
    opened = timezone.now() - dt.timedelta(hours=2)
    episode = services.open_episode(
        staff[Role.INTAKE_COORDINATOR], patient, reason="phone screen", now=opened, address=None
    )
    return services.assign_bed(staff[Role.INTAKE_COORDINATOR], episode, beds[0], address=None)


def _arrive(actor, episode, bed, arrived_at=None):
    now = timezone.now()
    return services.record_arrival(actor, episode.pk, bed=bed, arrived_at=arrived_at or now, now=now, address=None)


def test_arrival_moves_to_evaluation_at_the_time_given_in_the_booked_bed(staff, booked, beds):
    arrived_at = timezone.now() - dt.timedelta(minutes=20)
    episode = _arrive(staff[Role.NURSE], booked, beds[0], arrived_at)
    assert (episode.stage, episode.bed_id, episode.admitted_at) == (Stage.EVALUATION, beds[0].pk, arrived_at)
    last = episode.transitions.last()
    assert (last.from_stage, last.to_stage, last.at, last.by_role) == (
        "pre_admission",
        "evaluation",
        arrived_at,
        "nurse",
    )
    assert last.reason == f"Patient arrived to bed {beds[0]}"
    event = AuditEvent.objects.get(action="episode.arrive", episode_id=episode.pk)
    assert event.detail["bed"] == event.detail["booked_bed"] == beds[0].pk
    # The stage change itself is audited by the single writer too.
    assert AuditEvent.objects.filter(action="episode.change_stage", episode_id=episode.pk).exists()


def test_arrival_in_another_free_bed_releases_the_booked_one(staff, booked, beds):
    episode = _arrive(staff[Role.NURSE], booked, beds[2])
    assert episode.bed_id == beds[2].pk
    assert not Episode.objects.filter(bed=beds[0], discharged_at__isnull=True).exists()


def test_arrival_in_a_taken_bed_changes_nothing(staff, booked, beds, facility):
    other = services.open_episode(
        staff[Role.NURSE], PatientFactory(facility=facility), reason="x", now=timezone.now(), address=None
    )
    services.assign_bed(staff[Role.NURSE], other, beds[1], address=None)
    with pytest.raises(Conflict) as refused:
        _arrive(staff[Role.NURSE], booked, beds[1])
    assert refused.value.field == "bed"
    episode = Episode.objects.get(pk=booked.pk)
    assert (episode.stage, episode.bed_id, episode.admitted_at) == (Stage.PRE_ADMISSION, beds[0].pk, None)
    assert not AuditEvent.objects.filter(action="episode.arrive").exists()


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (dt.timedelta(hours=1), "The arrival time is in the future"),
        (-dt.timedelta(days=1), "before the episode was opened"),
    ],
    ids=["future", "before-opening"],
)
def test_an_impossible_arrival_time_is_refused_on_its_field(staff, booked, beds, offset, message):
    with pytest.raises(InvalidInput) as refused:
        _arrive(staff[Role.NURSE], booked, beds[0], timezone.now() + offset)
    assert refused.value.field == "arrived_at"
    assert message in refused.value.message
    assert Episode.objects.get(pk=booked.pk).stage == Stage.PRE_ADMISSION


def test_a_second_arrival_is_refused(staff, booked, beds):
    _arrive(staff[Role.NURSE], booked, beds[0])
    with pytest.raises(InvalidInput, match="already recorded: this episode is in Evaluation & intake") as refused:
        _arrive(staff[Role.NURSE], booked, beds[0])
    assert refused.value.status_code == 409


def test_a_physician_records_arrival_in_the_booked_bed_but_cannot_move_it(staff, booked, beds):
    with pytest.raises(InvalidInput, match="cannot change the bed") as refused:
        _arrive(staff[Role.PHYSICIAN], booked, beds[3])
    assert refused.value.field == "bed"
    assert Episode.objects.get(pk=booked.pk).bed_id == beds[0].pk
    assert _arrive(staff[Role.PHYSICIAN], booked, beds[0]).stage == Stage.EVALUATION


def test_an_outpatient_arrives_without_a_bed(staff, patient):
    episode = services.open_episode(staff[Role.NURSE], patient, reason="walk-in", now=timezone.now(), address=None)
    episode = _arrive(staff[Role.NURSE], episode, None)
    assert (episode.stage, episode.bed_id) == (Stage.EVALUATION, None)
    assert episode.transitions.last().reason == "Patient arrived (no bed)"


# The screens.


def test_the_arrival_form_starts_from_the_booked_bed_and_now(client_as, booked, beds):
    response = client_as(Role.NURSE).get(f"/episodes/{booked.pk}/arrival/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["bed"].value() == beds[0].pk
    shown = form["arrived_at"].value()  # in the unit's local time, as the input shows it
    assert abs(shown - timezone.localtime().replace(tzinfo=None)) < dt.timedelta(minutes=2)
    page = response.content.decode()
    assert f"{beds[0].unit.name} {beds[0].label} (booked)" in page
    assert "Record the arrival" in page


def test_the_arrival_form_offers_free_beds_only(client_as, booked, beds):
    beds[3].housekeeping = Housekeeping.CLEANING
    beds[3].save()
    choices = {
        c for c, _ in client_as(Role.NURSE).get(f"/episodes/{booked.pk}/arrival/").context["form"].fields["bed"].choices
    }
    assert {beds[0].pk, beds[1].pk, beds[2].pk} <= {getattr(c, "value", c) for c in choices}
    assert beds[3].pk not in {getattr(c, "value", c) for c in choices}


def test_recording_arrival_on_screen_returns_to_the_record(client_as, booked, beds):
    response = client_as(Role.NURSE).post(
        f"/episodes/{booked.pk}/arrival/",
        {"bed": beds[1].pk, "arrived_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response["Location"] == f"/patients/{booked.patient_id}/"
    episode = Episode.objects.get(pk=booked.pk)
    assert (episode.stage, episode.bed_id) == (Stage.EVALUATION, beds[1].pk)


def test_a_future_arrival_on_screen_is_named_on_its_field(client_as, booked, beds):
    later = timezone.localtime() + dt.timedelta(hours=3)
    response = client_as(Role.NURSE).post(
        f"/episodes/{booked.pk}/arrival/", {"bed": beds[0].pk, "arrived_at": later.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 400
    assert "in the future" in response.context["form"].errors["arrived_at"][0]


def test_the_patient_page_offers_arrival_not_a_bare_stage_change(client_as, booked):
    nurse = client_as(Role.NURSE)
    page = nurse.get(f"/patients/{booked.patient_id}/").content.decode()
    assert "Patient arrived" in page
    assert f"/episodes/{booked.pk}/arrival/" in page
    # A nurse cannot discharge, and arrival is its own action: no stage form at all in pre-admission.
    assert 'id="stage-form"' not in page
    response = nurse.post(f"/episodes/{booked.pk}/stage/", {"stage": "evaluation", "reason": "here"})
    assert response.status_code == 400
    assert "Record the arrival with “Patient arrived”" in response.context["stage_form"].errors["stage"][0]
    assert Episode.objects.get(pk=booked.pk).stage == Stage.PRE_ADMISSION


def test_a_physician_still_sees_the_administrative_discharge_in_pre_admission(client_as, booked):
    form = client_as(Role.PHYSICIAN).get(f"/patients/{booked.patient_id}/").context["stage_form"]
    assert [value for value, _ in form.fields["stage"].choices] == ["discharged"]


def test_the_arrival_page_after_arrival_goes_to_intake(client_as, staff, booked, beds):
    _arrive(staff[Role.NURSE], booked, beds[0])
    response = client_as(Role.NURSE).get(f"/episodes/{booked.pk}/arrival/")
    assert response["Location"] == f"/episodes/{booked.pk}/intake/"


def test_the_timeline_names_roles_in_words(client_as, booked):
    page = client_as(Role.NURSE).get(f"/patients/{booked.patient_id}/").content.decode()
    assert "intake coordinator" in page
    assert "intake_coordinator" not in page


# The API.


def _post(client, episode, body):
    return client.post(f"/api/episodes/{episode.pk}/arrival", json.dumps(body), content_type="application/json")


def test_api_arrival_keeps_the_booked_bed_unless_told(client_as, booked, beds):
    response = _post(client_as(Role.NURSE), booked, {})
    assert response.status_code == 201
    body = response.json()
    assert (body["stage"], body["bed_id"]) == ("evaluation", beds[0].pk)
    assert body["transitions"][-1]["reason"] == f"Patient arrived to bed {beds[0]}"


def test_api_arrival_without_a_bed_and_a_future_time_named(client_as, booked):
    nurse = client_as(Role.NURSE)
    later = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    refused = _post(nurse, booked, {"arrived_at": later})
    assert refused.status_code == 400
    assert refused.json()["field"] == "arrived_at"
    response = _post(nurse, booked, {"bed_id": None})
    assert (response.status_code, response.json()["bed_id"]) == (201, None)
    again = _post(nurse, booked, {})
    assert (again.status_code, again.json()["field"]) == (409, "episode")


def test_an_arrival_in_the_minute_of_the_booking_is_not_before_it(staff, patient, beds):
    opened = timezone.now().replace(second=30)
    episode = services.open_episode(staff[Role.NURSE], patient, reason="walk-in", now=opened, address=None)
    episode = services.record_arrival(
        staff[Role.NURSE], episode.pk, bed=None, arrived_at=opened.replace(second=0), now=opened, address=None
    )
    assert episode.admitted_at == opened
    assert [t.to_stage for t in episode.transitions.all()] == ["pre_admission", "evaluation"]


def test_the_transitions_api_into_evaluation_is_the_arrival_too(client_as, booked, beds):
    """One door: a client that moves pre-admission to evaluation through /transitions records the arrival."""
    response = client_as(Role.NURSE).post(
        f"/api/episodes/{booked.pk}/transitions",
        json.dumps({"stage": "evaluation", "reason": "here"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stage"], body["bed_id"]) == ("evaluation", beds[0].pk)
    assert body["transitions"][-1]["reason"] == f"Patient arrived to bed {beds[0]}"
    assert AuditEvent.objects.filter(action="episode.arrive", episode_id=booked.pk).count() == 1
    assert Episode.objects.get(pk=booked.pk).admitted_at is not None
