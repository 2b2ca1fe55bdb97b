"""Orders and the MAR: protocol orders, the safety check on every dose, overrides, and one record per dose."""

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from detoxflow.accounts.permissions import Role
from detoxflow.assessments import services as assessments
from detoxflow.audit.models import AuditEvent
from detoxflow.clinical.rulebook import RULEBOOK, RuleSet
from detoxflow.clinical.safety import PUBLISHED_SAFETY_RULES
from detoxflow.clinical.scales import COWS
from detoxflow.episodes.models import Episode
from detoxflow.errors import Conflict, InvalidInput
from detoxflow.medications import services
from detoxflow.medications.models import MedicationAdministration
from detoxflow.medications.services import SafetyStop
from tests.builders import signed_order

T0 = dt.datetime(2026, 11, 20, 14, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
COWS_10 = {**{i.key: 0 for i in COWS.items}, "pulse": 2, "sweating": 2, "restlessness": 3, "aches": 2, "yawning": 1}
VITALS = {"heart_rate": 96, "systolic_bp": 130, "diastolic_bp": 82, "respiratory_rate": 16, "spo2": 97, "sedation": "1"}


def chart(staff, episode, at, answers=COWS_10):
    return assessments.record_assessment(staff[Role.NURSE], episode, "COWS", answers, VITALS, now=at, address=None)


def bup_order(staff, episode):
    (order,) = services.sign_protocol(
        staff[Role.PHYSICIAN], episode, "buprenorphine_induction", now=T0 - H, address=None
    )
    return order


def give(staff, order, at, role=Role.NURSE, **kwargs):
    args = {"status": "given", "dose_mg": None, "due_at": None, "reason": "", **kwargs}
    return services.record_administration(staff[role], order.pk, now=at, address=None, **args)


def test_a_protocol_order_copies_its_limits_and_names_its_source(staff, episode):
    order = bup_order(staff, episode)
    assert (order.dose_mg, order.cows_at_least, order.min_interval_minutes, order.daily_max_mg) == (4, 8, 120, 16)
    assert order.built_from.startswith("Buprenorphine induction (symptom-triggered) (published protocol; FDA labels")
    assert AuditEvent.objects.filter(action="order.sign", object_id=str(order.pk)).exists()


def test_first_buprenorphine_dose_after_a_qualifying_cows_is_given_and_reschedules_hourly(staff, episode):
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * dt.timedelta(minutes=1))
    dose = give(staff, order, T0)
    assert (dose.status, dose.dose_mg, dose.hard_stops) == ("given", 4, [])
    episode.refresh_from_db()
    assert episode.next_assessment_due == T0 + H


def test_a_dose_too_soon_is_blocked_with_its_reason_and_nothing_saved(staff, episode):
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * dt.timedelta(minutes=1))
    give(staff, order, T0)
    chart(staff, episode, T0 + 50 * dt.timedelta(minutes=1))
    with pytest.raises(SafetyStop) as stopped:
        give(staff, order, T0 + H)
    assert stopped.value.field == "dose"
    assert "the order allows one every 120 min" in stopped.value.message
    assert MedicationAdministration.objects.count() == 1


def test_a_hard_stop_is_set_aside_by_the_physicians_authorisation_and_the_nurse_gives_the_dose(staff, episode):
    order = bup_order(staff, episode)
    with pytest.raises(SafetyStop, match="A physician can authorise an override on this order"):
        give(staff, order, T0)  # no COWS yet
    with pytest.raises(InvalidInput, match="Only a physician"):
        services.authorise_override(
            staff[Role.NURSE], order.pk, reason="x", scope="next_dose", until=None, rule_ids=None, now=T0, address=None
        )
    services.authorise_override(
        staff[Role.PHYSICIAN],
        order.pk,
        reason="COWS 12 done on paper, system was down",
        scope="next_dose",
        until=None,
        rule_ids=None,
        now=T0,
        address=None,
    )
    dose = give(staff, order, T0 + dt.timedelta(minutes=2))
    assert (dose.by_name, dose.override_by_name) == (staff[Role.NURSE].display_name, staff[Role.PHYSICIAN].display_name)
    assert dose.override_reason == "COWS 12 done on paper, system was down"
    assert {s["rule_id"] for s in dose.hard_stops} >= {"cows-required"}
    assert AuditEvent.objects.get(action="dose.record").detail["override"] is True


def test_not_given_needs_a_reason_and_skips_the_check(staff, episode):
    order = bup_order(staff, episode)
    with pytest.raises(InvalidInput) as refused:
        give(staff, order, T0, status="held", reason="")
    assert refused.value.field == "reason"
    held = give(staff, order, T0, status="held", reason="Patient asleep, COWS 2")
    assert (held.status, held.dose_mg) == ("held", 0)


def scheduled_ondansetron(staff, episode):
    """Ondansetron 4 mg every 8 hours from T0, written by hand: a scheduled order with due slots."""
    return signed_order(staff[Role.PHYSICIAN], episode, "ondansetron", "scheduled", 4, 8, 24, 480, T0)


def test_a_scheduled_slot_is_recorded_once(staff, episode):
    order = scheduled_ondansetron(staff, episode)
    give(staff, order, T0 + dt.timedelta(minutes=5), due_at=T0, status="refused", reason="nausea gone")
    with pytest.raises(Conflict, match="already recorded"):
        give(staff, order, T0 + dt.timedelta(minutes=6), due_at=T0, status="refused", reason="again")
    with pytest.raises(InvalidInput, match="not a scheduled dose"):
        give(staff, order, T0, due_at=T0 + dt.timedelta(minutes=30))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"single_dose_max_mg": Decimal(10)}, "single_dose_max_mg"),
        ({"daily_max_mg": Decimal(30)}, "daily_max_mg"),
        ({"dose_mg": Decimal(10)}, "dose_mg"),
        ({"medicine_code": "heroin"}, "medicine_code"),
        ({"kind": "symptom_triggered"}, "cows_at_least"),
    ],
    ids=[
        "single-above-formulary",
        "daily-above-formulary",
        "dose-above-own-max",
        "not-in-formulary",
        "trigger-missing",
    ],
)
def test_hand_orders_are_held_to_the_formulary(staff, episode, changes, field):
    values = {
        "medicine_code": "ondansetron",
        "kind": "as_needed",
        "dose_mg": Decimal(4),
        "min_interval_minutes": 480,
        "single_dose_max_mg": Decimal(8),
        "daily_max_mg": Decimal(24),
        **changes,
    }
    with pytest.raises(InvalidInput) as refused:
        services.sign_order(staff[Role.PHYSICIAN], episode, values, built_from="x", starts_at=T0, now=T0, address=None)
    assert refused.value.field == field


def test_a_stopped_order_takes_no_more_doses(staff, episode):
    order = bup_order(staff, episode)
    services.stop_order(staff[Role.PHYSICIAN], order, reason="taper finished", now=T0, address=None)
    with pytest.raises(InvalidInput, match="was stopped"):
        give(staff, order, T0 + H, status="held", reason="x")


def test_an_order_continued_after_discharge_takes_no_doses_here(staff, episode):
    order = bup_order(staff, episode)
    Episode.objects.filter(pk=episode.pk).update(discharged_at=T0 + H, stage="discharged")
    with pytest.raises(InvalidInput, match="has been discharged"):
        give(staff, order, T0 + 2 * H, status="held", reason="x")
    assert not order.administrations.exists()


def test_mar_page_shows_readiness_the_check_behind_it_and_records_through_the_form(client_as, staff, episode):
    order = bup_order(staff, episode)
    nurse = client_as(Role.NURSE)
    page = nurse.get(f"/episodes/{episode.pk}/medications/").content.decode()
    assert 'class="readiness readiness-needs_observation">Needs a COWS first<' in page
    assert "A dose now would be stopped:" in page
    assert "no COWS in the last 60 min" in page
    assert "Authorise an override" not in page  # the nurse records; the physician authorises
    response = nurse.post(f"/medications/orders/{order.pk}/administer/", {"status": "given", "dose_mg": "4"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Hard stop: No COWS in the last 60 min; this order is triggered by COWS" in body
    assert "First buprenorphine dose: no COWS in the last 60 min" in body
    assert not MedicationAdministration.objects.exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_nurses_recording_the_same_due_dose_at_once_make_one_record(staff, episode):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections, which only the PostgreSQL run has")
    order = scheduled_ondansetron(staff, episode)
    barrier = threading.Barrier(2)
    outcomes = []

    def record(name):
        try:
            barrier.wait()
            give(staff, order, T0 + dt.timedelta(minutes=3), due_at=T0, status="refused", reason=name)
            outcomes.append("recorded")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(n,)) for n in ("first nurse", "second nurse")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["recorded", "refused"]
    assert MedicationAdministration.objects.filter(order=order, due_at=T0).count() == 1


def test_api_signs_a_protocol_and_answers_a_hard_stop_with_its_reasons(client_as, staff, episode):
    physician = client_as(Role.PHYSICIAN)
    created = physician.post(
        f"/api/episodes/{episode.pk}/orders",
        json.dumps({"protocol": "buprenorphine_induction"}),
        content_type="application/json",
    )
    assert created.status_code == 201
    order_id = created.json()[0]["id"]
    nurse = client_as(Role.NURSE)
    stopped = nurse.post(
        f"/api/orders/{order_id}/administrations", json.dumps({"status": "given"}), content_type="application/json"
    )
    assert stopped.status_code == 409
    body = stopped.json()
    assert body["field"] == "dose"
    assert {s["rule_id"] for s in body["hard_stops"]} >= {"cows-required", "induction-cows"}
    missing = physician.post(
        f"/api/episodes/{episode.pk}/orders",
        json.dumps({"medicine_code": "clonidine"}),
        content_type="application/json",
    )
    assert missing.status_code == 422
    assert missing.json()["field"] == "kind"


def test_given_doses_are_marked_on_the_trend_chart(client_as, staff, episode):
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * dt.timedelta(minutes=1))
    give(staff, order, T0)
    page = client_as(Role.NURSE).get(f"/patients/{episode.patient_id}/").content.decode()
    assert 'class="dose"><title>Buprenorphine SL tablet 4 mg</title>' in page


def test_census_shows_late_and_missed_scheduled_doses(client_as, staff, episode):
    order = services.sign_order(
        staff[Role.PHYSICIAN],
        episode,
        {
            "medicine_code": "lofexidine",
            "kind": "scheduled",
            "dose_mg": Decimal("0.54"),
            "min_interval_minutes": 300,
            "single_dose_max_mg": Decimal("0.72"),
            "daily_max_mg": Decimal("2.88"),
        },
        built_from="Written by hand",
        starts_at=T0,
        now=T0,
        address=None,
    )
    give(staff, order, T0 + dt.timedelta(minutes=5), due_at=T0, status="held", reason="BP 88/50")
    with time_machine.travel(T0 + dt.timedelta(hours=10, minutes=45), tick=False):
        response = client_as(Role.NURSE).get(f"/units/{episode.unit_id}/census/")
    (row,) = [r for r in response.context["rows"] if r.episode]
    assert (row.late_doses, row.missed_doses) == (1, 1)  # 19:00 slot missed, 00:00 slot 45 min late
    assert "1 missed dose" in response.content.decode()


def test_unit_round_shows_readiness_calmly_and_no_hard_stop_until_someone_tries(client_as, staff, episode):
    bup_order(staff, episode)
    page = client_as(Role.NURSE).get(f"/units/{episode.unit_id}/mar/").content.decode()
    assert "Buprenorphine SL tablet 4 mg" in page
    assert "Needs a COWS first" in page
    assert "Hard stop" not in page


def test_a_facility_safety_threshold_changes_the_verdict(client_as, staff, episode):
    order = bup_order(staff, episode)
    chart(staff, episode, T0 - 10 * dt.timedelta(minutes=1))  # COWS 10
    client_as(Role.PHYSICIAN).post(
        "/clinical-rules/dose_safety/",
        {
            **{s.field: getattr(PUBLISHED_SAFETY_RULES, s.field) for s in RULEBOOK[RuleSet.DOSE_SAFETY][1]},
            "induction_cows_short_acting": "12",
            "reason": "Medical director: later first dose",
        },
    )
    with pytest.raises(SafetyStop, match="COWS 10 is below the 12 required after heroin use"):
        give(staff, order, T0)
