"""Episode services: opening, beds, method and stage changes, each audited and all-or-nothing."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from detoxflow.accounts.permissions import Role
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.stages import CareSetting, DischargeType, Stage, WithdrawalMedication
from detoxflow.episodes import services
from detoxflow.episodes.models import Episode, StageTransition
from detoxflow.errors import Conflict, InvalidInput
from tests.factories import BedFactory, PatientFactory, UserFactory

NOW = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def physician(staff):
    return staff[Role.PHYSICIAN]


@pytest.fixture
def episode(physician, patient):
    return services.open_episode(physician, patient, reason="Phone screen", now=NOW, address="127.0.0.1")


def test_opening_an_episode_starts_in_pre_admission_with_a_timeline_entry(episode, physician):
    assert episode.stage == Stage.PRE_ADMISSION
    (first,) = episode.transitions.all()
    assert (first.from_stage, first.to_stage, first.by_name, first.by_role, first.reason) == (
        "",
        "pre_admission",
        physician.display_name,
        "physician",
        "Phone screen",
    )
    assert AuditEvent.objects.filter(
        action="episode.open", episode_id=episode.pk, patient_id=episode.patient_id
    ).exists()


def test_a_patient_cannot_have_two_open_episodes(episode, physician, patient):
    with pytest.raises(Conflict) as refused:
        services.open_episode(physician, patient, reason="again", now=NOW, address=None)
    assert refused.value.field == "patient"
    assert Episode.objects.filter(patient=patient).count() == 1


def test_opening_needs_a_reason(physician, patient):
    with pytest.raises(InvalidInput) as refused:
        services.open_episode(physician, patient, reason="  ", now=NOW, address=None)
    assert refused.value.field == "reason"
    assert not Episode.objects.exists()


def test_full_stay_walks_every_stage_and_records_who_and_why(episode, physician, staff, beds):
    services.change_stage(physician, episode.pk, Stage.EVALUATION, reason="Arrived", now=NOW, address=None)
    services.choose_care_setting(
        physician, episode, CareSetting.INPATIENT, WithdrawalMedication.BUPRENORPHINE, address=None
    )
    services.assign_bed(staff[Role.NURSE], episode, beds[0], address=None)
    for stage in (Stage.STABILIZATION, Stage.TAPERING, Stage.AFTERCARE_PLANNING):
        services.change_stage(physician, episode.pk, stage, reason=f"to {stage}", now=NOW, address=None)
    done = services.change_stage(
        physician,
        episode.pk,
        Stage.DISCHARGED,
        reason="Plan in place",
        now=NOW,
        address=None,
        discharge_type=DischargeType.COMPLETED,
    )
    assert (done.stage, done.discharge_type, done.discharged_at, done.admitted_at) == (
        "discharged",
        "completed",
        NOW,
        NOW,
    )
    assert [t.to_stage for t in done.transitions.all()] == [
        "pre_admission",
        "evaluation",
        "stabilization",
        "tapering",
        "aftercare_planning",
        "discharged",
    ]
    assert AuditEvent.objects.filter(action="episode.change_stage", episode_id=episode.pk).count() == 5


def test_refused_move_names_both_stages_and_changes_nothing(episode, physician):
    with pytest.raises(InvalidInput) as refused:
        services.change_stage(physician, episode.pk, Stage.TAPERING, reason="skip", now=NOW, address=None)
    assert refused.value.field == "stage"
    assert "Pre-admission" in refused.value.message
    assert "Tapering" in refused.value.message
    episode.refresh_from_db()
    assert episode.stage == Stage.PRE_ADMISSION
    assert StageTransition.objects.filter(episode=episode).count() == 1
    assert not AuditEvent.objects.filter(action="episode.change_stage").exists()


def test_inpatient_stabilization_is_refused_without_a_bed(episode, physician):
    services.change_stage(physician, episode.pk, Stage.EVALUATION, reason="Arrived", now=NOW, address=None)
    services.choose_care_setting(
        physician, episode, CareSetting.INPATIENT, WithdrawalMedication.METHADONE, address=None
    )
    with pytest.raises(InvalidInput, match="needs a bed assigned"):
        services.change_stage(physician, episode.pk, Stage.STABILIZATION, reason="ok", now=NOW, address=None)


def test_a_taken_bed_is_refused_with_its_name(episode, physician, beds, facility):
    other = services.open_episode(physician, PatientFactory(facility=facility), reason="walk-in", now=NOW, address=None)
    services.assign_bed(physician, other, beds[0], address=None)
    with pytest.raises(Conflict) as refused:
        services.assign_bed(physician, episode, beds[0], address=None)
    assert refused.value.field == "bed"
    assert beds[0].label in refused.value.message
    episode.refresh_from_db()
    assert episode.bed_id is None


def test_a_bed_frees_up_at_discharge(episode, physician, beds, facility):
    services.assign_bed(physician, episode, beds[0], address=None)
    services.change_stage(
        physician,
        episode.pk,
        Stage.DISCHARGED,
        reason="No-show",
        now=NOW,
        address=None,
        discharge_type=DischargeType.ADMINISTRATIVE,
    )
    nxt = services.open_episode(physician, PatientFactory(facility=facility), reason="next", now=NOW, address=None)
    assert services.assign_bed(physician, nxt, beds[0], address=None).bed_id == beds[0].pk


def test_a_bed_of_another_facility_is_refused(episode, physician, other_facility):
    foreign = BedFactory(unit__facility=other_facility)
    with pytest.raises(InvalidInput, match="another facility"):
        services.assign_bed(physician, episode, foreign, address=None)


def test_rapid_detox_cannot_be_chosen_as_an_ordinary_method(episode, physician):
    with pytest.raises(InvalidInput) as refused:
        services.choose_care_setting(physician, episode, CareSetting.RAPID_UNDER_ANESTHESIA, None, address=None)
    assert refused.value.field == "care_setting"
    episode.refresh_from_db()
    assert episode.care_setting == ""


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_booking_the_last_bed_at_once_get_one_booking(staff, facility, beds):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections, which only the PostgreSQL run has")
    coordinator = staff[Role.INTAKE_COORDINATOR]
    first, second = (
        services.open_episode(
            coordinator, PatientFactory(facility=facility), reason="call", now=timezone.now(), address=None
        )
        for _ in range(2)
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def book(episode):
        try:
            barrier.wait()
            services.assign_bed(coordinator, Episode.objects.get(pk=episode.pk), beds[-1], address=None)
            outcomes.append("booked")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(e,)) for e in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked", "refused"]
    assert Episode.objects.filter(bed=beds[-1], discharged_at__isnull=True).count() == 1


def test_care_team_takes_clinicians_of_the_facility(episode, physician, staff):
    services.assign_care_team(physician, episode, [physician, staff[Role.NURSE]], address=None)
    assert set(episode.care_team.all()) == {physician, staff[Role.NURSE]}
    event = AuditEvent.objects.get(action="episode.assign_care_team")
    assert event.detail == {"care_team": sorted([physician.pk, staff[Role.NURSE].pk])}


@pytest.mark.parametrize(
    ("who", "message"),
    [("manager", "is a unit manager, not a clinician"), ("stranger", "does not work at this facility")],
    ids=["not-a-clinician", "other-facility"],
)
def test_care_team_refuses_non_clinicians_and_strangers(episode, physician, staff, other_facility, who, message):
    member = staff[Role.UNIT_MANAGER] if who == "manager" else UserFactory(facility=other_facility)
    services.assign_care_team(physician, episode, [physician], address=None)
    with pytest.raises(InvalidInput, match=message):
        services.assign_care_team(physician, episode, [physician, member], address=None)
    assert list(episode.care_team.all()) == [physician]
