"""Charting withdrawal: scoring through the service, refusals that save nothing, schedule, census, tablet, API."""

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from detoxflow.accounts.permissions import Role
from detoxflow.assessments import services
from detoxflow.assessments.models import WithdrawalAssessment
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.scales import COWS
from detoxflow.episodes import services as episode_services
from detoxflow.episodes.models import Episode
from detoxflow.errors import InvalidInput
from tests.builders import CHARTED_VITALS, stabilized_episode
from tests.factories import PatientFactory

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
ZERO = {item.key: 0 for item in COWS.items}
MODERATE = {**ZERO, "pulse": 2, "sweating": 2, "restlessness": 3, "aches": 2, "runny_nose": 2, "gi_upset": 2}  # 13


def stabilized(staff, patient, bed, at=T0):
    with time_machine.travel(at, tick=False):
        return stabilized_episode(staff[Role.PHYSICIAN], patient, bed, at)


@pytest.fixture
def episode(staff, patient, beds):
    return stabilized(staff, patient, beds[0])


def test_first_cows_is_due_when_stabilization_starts(episode):
    assert episode.next_assessment_due == T0


def test_a_scored_cows_is_saved_with_flags_and_reschedules(staff, episode):
    saved = services.record_assessment(
        staff[Role.NURSE], episode, "COWS", MODERATE, CHARTED_VITALS, now=T0, address=None
    )
    assert (saved.total, saved.band, saved.flags) == (13, "Moderate", {})
    episode.refresh_from_db()
    assert episode.next_assessment_due == T0 + dt.timedelta(hours=4)
    assert AuditEvent.objects.filter(action="assessment.record", episode_id=episode.pk).exists()


def test_abnormal_vitals_are_flagged(staff, episode):
    saved = services.record_assessment(
        staff[Role.NURSE],
        episode,
        "COWS",
        ZERO,
        {**CHARTED_VITALS, "heart_rate": 125, "sedation": "3"},
        now=T0,
        address=None,
    )
    assert saved.flags == {"heart_rate": "high", "sedation": "unacceptable"}


@pytest.mark.parametrize(
    ("answers", "vitals", "field", "message"),
    [
        ({**ZERO, "pulse": 3}, {}, "pulse", "Resting pulse: 3 is not an allowed value (allowed: 0, 1, 2, 4)."),
        ({k: v for k, v in ZERO.items() if k != "yawning"}, {}, "yawning", "Not scored yet: Yawning"),
        (ZERO, {"heart_rate": 700}, "heart_rate", "Heart rate 700 /min is outside what is possible"),
        (ZERO, {"systolic_bp": 120}, "diastolic_bp", "Give both systolic and diastolic"),
        (ZERO, {"pain": 11}, "pain", "outside the 0-10 scale"),
        (ZERO, {"sedation": "5"}, "sedation", "POSS"),
    ],
    ids=["disallowed-value", "partial-form", "hr-typo", "half-bp", "pain-11", "sedation-5"],
)
def test_refusals_name_the_field_and_save_nothing(staff, episode, answers, vitals, field, message):
    with pytest.raises(InvalidInput) as refused:
        services.record_assessment(staff[Role.NURSE], episode, "COWS", answers, vitals, now=T0, address=None)
    assert refused.value.field == field
    assert message in refused.value.message
    assert not WithdrawalAssessment.objects.exists()
    assert Episode.objects.get(pk=episode.pk).next_assessment_due == T0


def test_pre_admission_episodes_are_not_charted(staff, facility):
    episode = episode_services.open_episode(
        staff[Role.PHYSICIAN], PatientFactory(facility=facility), reason="c", now=T0, address=None
    )
    with pytest.raises(InvalidInput, match="pre-admission"):
        services.record_assessment(staff[Role.NURSE], episode, "COWS", ZERO, {}, now=T0, address=None)


def test_charting_screen_saves_and_returns_to_the_census(client_as, episode):
    form = {f"item_{k}": v for k, v in MODERATE.items()} | {k: v for k, v in CHARTED_VITALS.items()}
    response = client_as(Role.NURSE).post(
        f"/episodes/{episode.pk}/assessments/new/?instrument=COWS&next=/units/{episode.unit_id}/census/", form
    )
    assert response["Location"] == f"/units/{episode.unit_id}/census/"
    assert WithdrawalAssessment.objects.get().total == 13


def test_charting_screen_shows_the_refusal_beside_the_item(client_as, episode):
    form = {f"item_{k}": v for k, v in ZERO.items() if k != "tremor"}
    response = client_as(Role.NURSE).post(f"/episodes/{episode.pk}/assessments/new/?instrument=COWS", form)
    assert response.status_code == 400
    assert "Score tremor; a partly filled COWS is not saved." in response.context["form"].errors["item_tremor"]


def test_census_lists_due_and_overdue_most_overdue_first(client_as, staff, facility, beds):
    first = stabilized(staff, PatientFactory(facility=facility, family_name="Early"), beds[1], T0)
    second = stabilized(
        staff, PatientFactory(facility=facility, family_name="Later"), beds[2], T0 + dt.timedelta(minutes=50)
    )
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        response = client_as(Role.NURSE).get(f"/units/{first.unit_id}/census/")
    due = response.context["due"]
    assert [row.episode.pk for row in due] == [first.pk, second.pk]
    assert [row.due for row in due] == ["overdue", "due"]
    assert response.context["overdue"] == 1
    assert "Overdue 60 min" in response.content.decode()


def test_census_query_count_with_due_now_does_not_grow(client_as, staff, facility, beds):
    client = client_as(Role.NURSE)
    stabilized(staff, PatientFactory(facility=facility), beds[1])
    with CaptureQueriesContext(connection) as few:
        client.get(f"/units/{beds[1].unit_id}/census/")
    for bed in beds[2:]:
        episode = stabilized(staff, PatientFactory(facility=facility), bed)
        services.record_assessment(staff[Role.NURSE], episode, "COWS", MODERATE, CHARTED_VITALS, now=T0, address=None)
    with CaptureQueriesContext(connection) as more:
        client.get(f"/units/{beds[1].unit_id}/census/")
    assert len(few) > 0
    assert len(more) == len(few)


def test_tablet_self_report_locks_until_the_nurse_unlocks(client_as, episode):
    nurse = client_as(Role.NURSE)
    started = nurse.post(f"/episodes/{episode.pk}/self-report/", {"start": "1"})
    assert started["Location"] == f"/episodes/{episode.pk}/self-report/"
    assert "How do you feel right now?" in nurse.get(f"/episodes/{episode.pk}/self-report/").content.decode()
    assert nurse.get("/audit/")["Location"] == f"/episodes/{episode.pk}/self-report/"
    answers = {
        f"item_{k}": 1
        for k in (
            "anxious",
            "yawning",
            "perspiring",
            "eyes_tearing",
            "nose_running",
            "goosebumps",
            "shaking",
            "hot_flushes",
            "cold_flushes",
            "aches",
            "restless",
            "nauseous",
            "vomiting",
            "twitching",
            "cramps",
            "craving",
        )
    }
    response = nurse.post(f"/episodes/{episode.pk}/self-report/", answers)
    assert response["Location"] == "/tablet/locked/"
    saved = WithdrawalAssessment.objects.get()
    assert (saved.instrument, saved.total, saved.self_reported) == ("SOWS", 16, True)
    assert nurse.get(f"/patients/{episode.patient_id}/")["Location"] == "/tablet/locked/"
    assert nurse.get(f"/episodes/{episode.pk}/self-report/")["Location"] == "/tablet/locked/"
    assert nurse.post("/tablet/locked/", {"password": "wrong"}).status_code == 400
    assert nurse.post("/tablet/locked/", {"password": "correct horse battery"})["Location"] == "/"
    assert nurse.get(f"/patients/{episode.patient_id}/").status_code == 200


def test_patient_page_draws_the_trend_with_bands(client_as, staff, episode):
    for hours, answers in ((0, MODERATE), (4, ZERO)):
        services.record_assessment(
            staff[Role.NURSE],
            episode,
            "COWS",
            answers,
            CHARTED_VITALS,
            now=T0 + dt.timedelta(hours=hours),
            address=None,
        )
    page = client_as(Role.NURSE).get(f"/patients/{episode.patient_id}/").content.decode()
    assert '<svg class="trend"' in page
    assert "<title>Moderately severe 25-36</title>" in page
    assert page.count("<circle") >= 4  # two COWS points and two heart-rate points at least


def test_api_records_and_lists_with_the_same_checks(client_as, episode):
    nurse = client_as(Role.NURSE)
    url = f"/api/episodes/{episode.pk}/assessments"
    bad = nurse.post(
        url, json.dumps({"instrument": "COWS", "items": {**ZERO, "gooseflesh": 4}}), content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json() == {
        "field": "gooseflesh",
        "message": "Gooseflesh skin: 4 is not an allowed value (allowed: 0, 3, 5).",
    }
    good = nurse.post(
        url,
        json.dumps({"instrument": "COWS", "items": MODERATE, "vitals": {"heart_rate": 96}}),
        content_type="application/json",
    )
    assert good.status_code == 201
    assert (good.json()["total"], good.json()["band"]) == (13, "Moderate")
    assert good.json()["next_assessment_due"] is not None
    listed = nurse.get(url).json()
    assert [a["total"] for a in listed["items"]] == [13]
    assert AuditEvent.objects.filter(action="assessment.list").exists()
